// The bench files in a fixed order, the terminal bench first: it measures the backend's memory per
// idle session from a process that has done nothing else yet (the files share one process, and
// memory another file freed would be reused by the sessions and hide what they cost).
const Sequencer = require('@jest/test-sequencer').default;

const ORDER = ['terminal', 'logs', 'exec', 'debug'];
const rank = test => ORDER.findIndex(name => test.path.endsWith(`${name}.bench.ts`));

module.exports = class BenchSequencer extends Sequencer {
  sort(tests) {
    return [...tests].sort((a, b) => rank(a) - rank(b));
  }
};
