import { handlerEnvironment } from '../../tools/local/local-lambda';

// Handlers run in the test process: keep their INFO logs out of the test output, both for handlers the tests import and
// for bundles the local run loads natively. The bundles' ERROR lines too: the local-run tests assert on what failed
// through the run's own accounts (each queue's errors by name, the dead-lettered chunks, the function stats), so the
// handlers' stack traces would only bury a failing test's output.
process.env.POWERTOOLS_LOG_LEVEL = 'WARN';
handlerEnvironment.POWERTOOLS_LOG_LEVEL = 'CRITICAL';
