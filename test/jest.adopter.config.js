// `npm run test:adopter`: the README's install section in fresh create-app apps (test/adopter).
const base = require('./jest.config');

module.exports = { ...base, displayName: '@internal/adopter-test', testMatch: ['<rootDir>/adopter/adopter.test.ts'] };
