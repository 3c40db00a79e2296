import { useCallback } from 'react';
import { useSearchParams } from 'react-router-dom';

/**
 * A view setting kept in the page's query string (`?tail=100&q=timeout`), so a copied link
 * reproduces the view; the default is left out of the URL. Updates replace the history entry.
 */
export function useUrlState(key: string, fallback: string): [string, (next: string) => void] {
  const [params, setParams] = useSearchParams();
  const value = params.get(key) ?? fallback;
  const set = useCallback(
    (next: string) =>
      setParams(
        prev => {
          const p = new URLSearchParams(prev);
          if (next === fallback) p.delete(key);
          else p.set(key, next);
          return p;
        },
        { replace: true },
      ),
    [key, fallback, setParams],
  );
  return [value, set];
}

/** The same for a switch: `1` in the URL when it differs from its default `0`, or `0` when on by default. */
export function useUrlFlag(key: string, fallback: boolean): [boolean, (next: boolean) => void] {
  const [raw, setRaw] = useUrlState(key, fallback ? '1' : '0');
  return [raw === '1', useCallback((next: boolean) => setRaw(next ? '1' : '0'), [setRaw])];
}
