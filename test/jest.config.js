// The system tests live in test/{kubectl,e2e} rather than src/, so this package brings its own
// Jest config (backstage-cli uses a package's jest.config.js when present) with the CLI's transform.
const transform = require.resolve('@backstage/cli-module-test-jest/config/jestSwcTransform');

module.exports = {
  displayName: '@internal/system-tests',
  rootDir: __dirname,
  // adopter/adopter.test.ts (fresh create-app apps) has its own config, run after this one by npm test (scripts/test.mjs).
  testMatch: ['<rootDir>/{backend,kubectl,e2e,sandbox}/**/*.test.ts', '<rootDir>/adopter/readmeSteps.test.ts'],
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'tsx', 'js', 'json', 'node'],
  transform: {
    '\\.(ts|mts|cts)$': [transform, { jsc: { parser: { syntax: 'typescript' } }, module: { ignoreDynamic: true, exportInteropAnnotation: true } }],
    '\\.(js|mjs|cjs)$': [transform, { jsc: { parser: { syntax: 'ecmascript' } }, module: { ignoreDynamic: true, exportInteropAnnotation: true } }],
  },
  // As backstage-cli does: ESM-only dependencies (@kubernetes/client-node 1.x) are transformed too.
  transformIgnorePatterns: ['/node_modules/(?:typescript|playwright-core|@swc|@jest|jest-[^/]+)/'],
};
