// `npm run test:replicas`: two backend replicas on PostgreSQL behind nginx (test/replicas). Run on
// its own by npm test (scripts/test.mjs), like the adopter test: four servers and Chromium would
// starve the timing-sensitive suites of the 2 cores, and it measures how fast a dead replica's
// sessions end.
const base = require('./jest.config');

module.exports = { ...base, displayName: '@internal/replicas-test', testMatch: ['<rootDir>/replicas/**/*.test.ts'] };
