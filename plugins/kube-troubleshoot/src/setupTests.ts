import '@testing-library/jest-dom';

// jsdom lays nothing out: give scroll containers a viewport and rows a height, so the
// virtualized log renders the rows a browser would.
Object.defineProperties(HTMLElement.prototype, {
  clientHeight: { configurable: true, get: () => 600 },
  clientWidth: { configurable: true, get: () => 1000 },
  offsetHeight: { configurable: true, get: () => 20 },
  offsetWidth: { configurable: true, get: () => 1000 },
});
