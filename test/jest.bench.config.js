// `npm run bench`: the relay benchmarks, kept out of `npm test` (they measure, they do not assert).
const base = require('./jest.config');

module.exports = { ...base, displayName: 'bench', testMatch: ['<rootDir>/bench/**/*.bench.ts'] };
