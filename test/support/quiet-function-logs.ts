import { handlerEnvironment } from '../../tools/local/local-lambda';

// Handlers run in the test process: keep their INFO logs out of the test output, both for handlers the tests import and
// for bundles the local run loads natively. A test that makes a handler fail captures its ERROR entries and asserts on
// them (test/support/captured-logs.ts), so no stack trace buries a failing test's output.
process.env.POWERTOOLS_LOG_LEVEL = 'WARN';
handlerEnvironment.POWERTOOLS_LOG_LEVEL = 'WARN';
