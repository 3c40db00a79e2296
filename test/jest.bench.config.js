// `npm run bench`: the relay benchmarks, kept out of `npm test` (they measure, they do not assert).
// Each file adds its rows to one table, printed once at the end (bench/benchTable.ts).
const base = require('./jest.config');

module.exports = {
  ...base,
  displayName: 'bench',
  testMatch: ['<rootDir>/bench/**/*.bench.ts'],
  globalSetup: '<rootDir>/bench/globalSetup.ts',
  globalTeardown: '<rootDir>/bench/globalTeardown.ts',
  testSequencer: '<rootDir>/bench/sequencer.js',
};
