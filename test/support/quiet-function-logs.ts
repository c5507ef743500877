import { handlerEnvironment } from '../../tools/local/local-lambda';

// Handlers run in the test process: keep their INFO logs out of the test output,
// both for handlers the tests import and for bundles the local run loads natively.
process.env.POWERTOOLS_LOG_LEVEL = 'WARN';
handlerEnvironment.POWERTOOLS_LOG_LEVEL = 'WARN';
