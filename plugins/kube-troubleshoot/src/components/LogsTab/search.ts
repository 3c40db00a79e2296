import { LogEntry } from './logBuffer';

export interface SearchOptions {
  text: string;
  regex: boolean;
  caseSensitive: boolean;
}

export type Matcher = { key: string; pattern: RegExp };

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A global RegExp for the search, undefined for an empty one, or the reason a regex is invalid. */
export function createMatcher(
  options: SearchOptions,
): Matcher | { error: string } | undefined {
  if (!options.text) return undefined;
  const flags = options.caseSensitive ? 'g' : 'gi';
  const source = options.regex ? options.text : escapeRegExp(options.text);
  try {
    const pattern = new RegExp(source, flags);
    if (pattern.test(''))
      return {
        error:
          'The expression matches empty text; make it match at least one character',
      };
    return { key: `${flags}/${source}`, pattern };
  } catch (e) {
    return { error: `Invalid regular expression: ${(e as Error).message}` };
  }
}

/** Where the pattern matches in `text`, as [start, end) pairs. */
export function findMatches(
  text: string,
  matcher: Matcher,
): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const re = matcher.pattern;
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m[0].length === 0) {
      re.lastIndex += 1;
      continue;
    }
    out.push([m.index, m.index + m[0].length]);
  }
  return out;
}

function countIn(entry: LogEntry, matcher: Matcher): number {
  if (entry.matchKey !== matcher.key) {
    entry.matchKey = matcher.key;
    entry.matchCount =
      entry.kind === 'line' ? findMatches(entry.plain, matcher).length : 0;
  }
  return entry.matchCount ?? 0;
}

export interface SearchResult {
  total: number;
  /** Indexes (into the lines) of the lines with at least one match. */
  lines: number[];
}

/**
 * Counts matches over every line. Counts are cached on the entries, so a stream that appends
 * lines re-runs the pattern only on the new ones.
 */
export function searchLines(lines: LogEntry[], matcher: Matcher): SearchResult {
  let total = 0;
  const hits: number[] = [];
  for (let i = 0; i < lines.length; i++) {
    const n = countIn(lines[i], matcher);
    if (n) {
      total += n;
      hits.push(i);
    }
  }
  return { total, lines: hits };
}
