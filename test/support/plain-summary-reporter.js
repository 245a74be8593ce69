// Prints one plain closing line, `tests: N passed, N failed, N skipped`, after jest's own
// summary, so any CI that reads a run's last line can count the tests.
class PlainSummaryReporter {
  onRunComplete(_contexts, results) {
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    process.stdout.write(
      `\ntests: ${results.numPassedTests} passed, ${failed} failed, ${results.numPendingTests} skipped\n`,
    );
  }
}

module.exports = PlainSummaryReporter;
