import '@testing-library/jest-dom';

// jsdom lays nothing out: give scroll containers a viewport and rows a height, so the
// virtualized log renders the rows a browser would.
Object.defineProperties(HTMLElement.prototype, {
  clientHeight: { configurable: true, get: () => 600 },
  clientWidth: { configurable: true, get: () => 1000 },
  offsetHeight: { configurable: true, get: () => 20 },
  offsetWidth: { configurable: true, get: () => 1000 },
});

// Rendering whole Backstage pages takes seconds on a busy 2-core CI machine running the sandbox
// suites alongside: Jest's default 5 s failed tests there that pass in 1 s on an idle machine.
jest.setTimeout(30_000);
