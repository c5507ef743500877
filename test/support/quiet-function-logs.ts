// Handlers run in the test process: keep their INFO logs out of the test output.
process.env.POWERTOOLS_LOG_LEVEL = 'WARN';
