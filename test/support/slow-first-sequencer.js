const Sequencer = require('@jest/test-sequencer').default;

// The files that take longest (README, Tests), started first so the two workers finish together. Jest's own order (the
// last run's durations) needs its cache, which a fresh clone, as CI runs it, does not have; it then goes by file size,
// which started the 100-second consumer test halfway through the run.
const SLOW_FIRST = [
  'consumer/consumer-app', 'local/lambda-faults', 'web-view/serve-web-view', 'cli/sdp-run.test', 'local/callbacks',
  'local/fan-out-run', 'cost/cost-command', 'local/time-scale', 'fan-out/fan-out-job-run', 'local/fifo-fan-out-run',
  'local/distributed-map-run', 'local/local-runner', 'local/accounting-sdp-run', 'cli/cli.test',
];

class SlowFirstSequencer extends Sequencer {
  async sort(tests) {
    const rank = (test) => {
      const at = SLOW_FIRST.findIndex((part) => test.path.includes(part));
      return at < 0 ? SLOW_FIRST.length : at;
    };
    // Array.prototype.sort is stable: the rest keep jest's order.
    return [...await super.sort(tests)].sort((a, b) => rank(a) - rank(b));
  }
}

module.exports = SlowFirstSequencer;
