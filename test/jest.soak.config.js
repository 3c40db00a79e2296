// `npm run soak` (10 minutes) and, in its short form (2 minutes), part of npm test: many follows
// and terminals on one backend, a thousand sessions opened and closed, recordings under load, a
// follow cut every few seconds (test/soak). Run on its own (scripts/test.mjs), like the replica test.
const base = require('./jest.config');

module.exports = { ...base, displayName: '@internal/soak-test', testMatch: ['<rootDir>/soak/**/*.test.ts'] };
