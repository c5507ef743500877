// Ends the jest output with a plain "N passed, N failed" line, so CI can count the tests whatever the runner.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const line = `${results.numPassedTests} passed, ${results.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}\n`;
    // On exit, so it comes after jest's own summary.
    process.once('exit', () => process.stderr.write(line));
  }
}
module.exports = SummaryReporter;
