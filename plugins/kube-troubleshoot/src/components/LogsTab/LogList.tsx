import {
  memo,
  ReactNode,
  useCallback,
  useEffect,
  useLayoutEffect,
  useRef,
  useState,
} from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import Button from '@material-ui/core/Button';
import { makeStyles } from '@material-ui/core/styles';
import ArrowDownwardIcon from '@material-ui/icons/ArrowDownward';
import { AnsiSegment, AnsiStyle, parseAnsi } from './ansi';
import { LogEntry } from './logBuffer';
import { findMatches, Matcher } from './search';
import { formatTimestamp, TimeZoneMode } from './timeFormat';
import { isSelected, LineSelection } from './lineSelection';
import { cellText, JsonMode, jsonOf, restText } from './jsonColumns';

export const ROW_HEIGHT = 20;

const useStyles = makeStyles(theme => ({
  frame: {
    position: 'relative',
    borderRadius: theme.shape.borderRadius,
    overflow: 'hidden',
  },
  scroller: {
    overflow: 'auto',
    background: '#1e1e1e',
    color: '#d4d4d4',
    fontFamily: '"Roboto Mono", Menlo, Consolas, "Liberation Mono", monospace',
    fontSize: 12,
    lineHeight: `${ROW_HEIGHT}px`,
    contain: 'strict',
  },
  row: {
    position: 'absolute',
    top: 0,
    left: 0,
    minWidth: '100%',
    padding: '0 12px',
    boxSizing: 'border-box',
    whiteSpace: 'pre',
    height: ROW_HEIGHT,
    '&:hover': { background: 'rgba(255,255,255,0.05)' },
  },
  wrap: {
    width: '100%',
    whiteSpace: 'pre-wrap',
    overflowWrap: 'anywhere',
    height: 'auto',
  },
  current: { background: 'rgba(255,200,0,0.12)' },
  selected: { background: 'rgba(100,160,255,0.22)', '&:hover': { background: 'rgba(100,160,255,0.28)' } },
  ts: { color: '#8a8a8a' },
  cell: { display: 'inline-block', verticalAlign: 'top', overflow: 'hidden', textOverflow: 'ellipsis', marginRight: '1.5ch' },
  rest: { color: '#8a8a8a' },
  pretty: { display: 'block', whiteSpace: 'pre-wrap', color: '#ce9178' },
  tag: { fontWeight: 500 },
  notice: { color: '#9cdcfe', fontStyle: 'italic' },
  error: { color: '#f48771' },
  mark: { background: '#f5c518', color: '#000', borderRadius: 2 },
  empty: { padding: 12, color: '#8a8a8a', fontStyle: 'italic' },
  newLines: {
    position: 'absolute',
    bottom: 12,
    left: '50%',
    transform: 'translateX(-50%)',
    boxShadow: theme.shadows[4],
  },
}));

function styleOf(s: AnsiStyle): React.CSSProperties | undefined {
  if (!Object.keys(s).length) return undefined;
  const fg = s.inverse ? s.bg ?? '#1e1e1e' : s.fg;
  const bg = s.inverse ? s.fg ?? '#d4d4d4' : s.bg;
  return {
    color: fg,
    background: bg,
    fontWeight: s.bold ? 700 : undefined,
    opacity: s.dim ? 0.7 : undefined,
    fontStyle: s.italic ? 'italic' : undefined,
    textDecoration: s.underline ? 'underline' : undefined,
  };
}

/** ANSI segments with the search matches (offsets in the plain text) wrapped in <mark>. */
function renderText(
  segments: AnsiSegment[],
  matches: Array<[number, number]>,
  markClass: string,
): ReactNode[] {
  const out: ReactNode[] = [];
  let offset = 0;
  let m = 0;
  let key = 0;
  for (const seg of segments) {
    const style = styleOf(seg.style);
    const end = offset + seg.text.length;
    let pos = offset;
    while (pos < end) {
      while (m < matches.length && matches[m][1] <= pos) m++;
      const match = matches[m];
      if (match && match[0] <= pos) {
        const stop = Math.min(end, match[1]);
        out.push(
          <mark key={key++} className={markClass} style={style}>
            {seg.text.slice(pos - offset, stop - offset)}
          </mark>,
        );
        pos = stop;
      } else {
        const stop = Math.min(end, match ? match[0] : end);
        const text = seg.text.slice(pos - offset, stop - offset);
        out.push(
          style ? (
            <span key={key++} style={style}>
              {text}
            </span>
          ) : (
            text
          ),
        );
        pos = stop;
      }
    }
    offset = end;
  }
  return out;
}

export type TagMode = 'pod' | 'container' | 'none';

/** How JSON lines are shown: as written, indented, or as columns of the chosen fields (the rest collapsed). */
export interface JsonView {
  mode: JsonMode;
  columns: string[];
}

/** Width of a column in characters: short fields (level) narrow, the message wide. */
const COLUMN_CH: Record<string, number> = { level: 7, severity: 9, lvl: 7, '@l': 7, time: 24, ts: 24, timestamp: 24, '@timestamp': 24, '@t': 24 };

interface RowProps {
  entry: LogEntry;
  json?: JsonView;
  tagMode: TagMode;
  tagColor?: string;
  timestamps: boolean;
  timeZone: TimeZoneMode;
  matcher?: Matcher;
  current: boolean;
}

export function tagOf(entry: LogEntry, mode: TagMode): string | undefined {
  if (mode === 'pod' && entry.pod)
    return `${entry.pod}/${entry.container ?? ''}`;
  if (mode === 'container' && entry.container) return entry.container;
  return undefined;
}

function LogTextRow(props: RowProps) {
  const { entry, tagMode, tagColor, timestamps, timeZone, matcher, current, json } = props;
  const classes = useStyles();
  const tag = tagOf(entry, tagMode);
  const kindClass = {
    line: undefined,
    notice: classes.notice,
    error: classes.error,
  }[entry.kind];
  const matches =
    matcher && entry.kind === 'line' ? findMatches(entry.plain, matcher) : [];
  return (
    <span className={kindClass} data-current={current || undefined}>
      {timestamps && entry.timestamp && (
        <span className={classes.ts}>
          {formatTimestamp(entry.timestamp, timeZone)}{' '}
        </span>
      )}
      {tag && (
        <span className={classes.tag} style={{ color: tagColor }}>
          [{tag}]{' '}
        </span>
      )}
      {jsonBody(entry, json, classes) ??
        (entry.kind === 'line'
          ? renderText(parseAnsi(entry.text), matches, classes.mark)
          : `— ${entry.text} —`)}
    </span>
  );
}

function jsonBody(entry: LogEntry, json: JsonView | undefined, classes: Record<'cell' | 'rest' | 'pretty', string>): ReactNode | undefined {
  if (!json || json.mode === 'raw') return undefined;
  const o = jsonOf(entry);
  if (!o) return undefined;
  if (json.mode === 'pretty') return <span className={classes.pretty}>{JSON.stringify(o, null, 2)}</span>;
  const rest = restText(o, json.columns);
  return (
    <>
      {json.columns.map(c => (
        <span key={c} className={classes.cell} style={{ width: COLUMN_CH[c] ? `${COLUMN_CH[c]}ch` : undefined }} data-column={c}>
          {cellText(o[c])}
        </span>
      ))}
      {rest && <span className={classes.rest}>{rest}</span>}
    </>
  );
}

const LogText = memo(LogTextRow);

export interface LogListProps {
  lines: LogEntry[];
  /** Bumped whenever `lines` changed in place. */
  version: number;
  /** Indexes into `lines` to show (only-matching filter); all lines when undefined. */
  rows?: number[];
  /** A CSS height, or `fill`: down to the bottom of the window, so the page itself does not scroll. */
  height: number | string;
  wrap: boolean;
  timestamps: boolean;
  /** How timestamps read: UTC as Kubernetes writes them, or the browser's local time. */
  timeZone?: TimeZoneMode;
  /** Text size in px (rows grow with it). */
  fontSize?: number;
  tagMode: TagMode;
  tagColor(pod: string): string;
  matcher?: Matcher;
  /** Index into `lines` of the current search hit. */
  currentLine?: number;
  /** Changes when the list must scroll to `currentLine`. */
  scrollRequest: number;
  /** Entries the buffer dropped from the front at the last change. */
  lastDropped: number;
  /** JSON lines indented or as columns; as written when undefined. */
  json?: JsonView;
  /** Selected lines (by entry id), and what a click on a line does (shift: extend the range). */
  selection?: LineSelection;
  onLineClick?(entry: LogEntry, extend: boolean): void;
  emptyText: string;
}

/** Space below the log that Backstage's page content keeps (its padding), so nothing overflows. */
const PAGE_BOTTOM = 32;
const MIN_FILL = 320;

/**
 * The height that takes an element from where it starts on the page to the bottom of the window:
 * one scrollbar (the log's), not two. Measured again when the window or the page above it changes.
 */
function useFillHeight(ref: React.RefObject<HTMLElement>, on: boolean): number {
  const [h, setH] = useState(MIN_FILL);
  useLayoutEffect(() => {
    if (!on) return undefined;
    const measure = () => {
      const el = ref.current;
      if (!el) return;
      const top = el.getBoundingClientRect().top + window.scrollY;
      const next = Math.max(MIN_FILL, Math.floor(window.innerHeight - top - PAGE_BOTTOM));
      setH(prev => (prev === next ? prev : next));
    };
    measure();
    window.addEventListener('resize', measure);
    const observer = typeof ResizeObserver === 'undefined' ? undefined : new ResizeObserver(measure);
    if (ref.current?.parentElement?.parentElement) observer?.observe(ref.current.parentElement.parentElement);
    return () => {
      window.removeEventListener('resize', measure);
      observer?.disconnect();
    };
  }, [ref, on]);
  return h;
}

/**
 * A virtualized log: only the rows in view are in the DOM, so 200,000 lines scroll like 200.
 * Sticks to the newest line; scrolling up stops that and counts the lines arriving meanwhile.
 */
export function LogList(props: LogListProps) {
  const {
    lines,
    version,
    rows,
    height,
    wrap,
    timestamps,
    timeZone = 'utc',
    fontSize,
    tagMode,
    tagColor,
    matcher,
    currentLine,
    scrollRequest,
    lastDropped,
    emptyText,
    selection,
    onLineClick,
    json,
  } = props;
  // Indented JSON takes several rows: measured like wrapped lines.
  const measured = wrap || json?.mode === 'pretty';
  const jsonMode = json?.mode;
  const columnsKey = json?.columns.join(',');
  const classes = useStyles();
  const scrollRef = useRef<HTMLDivElement>(null);
  const [stuck, setStuck] = useState(true);
  const stuckRef = useRef(true);
  // The id of the last line seen at the bottom before the user scrolled up.
  const [seenId, setSeenId] = useState(0);
  const count = rows ? rows.length : lines.length;
  const at = useCallback(
    (i: number) => lines[rows ? rows[i] : i],
    [lines, rows],
  );

  const fillHeight = useFillHeight(scrollRef, height === 'fill');
  // 12 px text on 20 px rows; larger text, taller rows.
  const rowHeight = fontSize ? Math.round((fontSize * 5) / 3) : ROW_HEIGHT;
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowHeight,
    overscan: 30,
    // Wrapped rows have their own heights, remembered per line (ids survive dropping old lines).
    getItemKey: measured ? i => at(i)?.id ?? i : undefined,
  });

  useEffect(() => {
    virtualizer.measure();
  }, [measured, timestamps, tagMode, rowHeight, timeZone, jsonMode, columnsKey, virtualizer]);

  const lastId = lines.length ? lines[lines.length - 1].id : 0;

  const setStuckBoth = useCallback(
    (value: boolean) => {
      stuckRef.current = value;
      setStuck(value);
      if (!value) setSeenId(lastId);
    },
    [lastId],
  );

  // A new stream (the buffer was replaced) starts at its newest line, as kubectl leaves you.
  useLayoutEffect(() => {
    stuckRef.current = true;
    setStuck(true);
  }, [lines]);

  // Keep the newest line in view, or keep a scrolled-up view still when old lines were dropped.
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    if (stuckRef.current) {
      el.scrollTop = el.scrollHeight;
    } else if (lastDropped > 0 && !rows && !measured) {
      el.scrollTop = Math.max(0, el.scrollTop - lastDropped * rowHeight);
    }
    // version: lines changed in place
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [version, count, lines, lastDropped]);

  useEffect(() => {
    if (currentLine === undefined) return;
    const index = rows ? rows.indexOf(currentLine) : currentLine;
    if (index < 0) return;
    stuckRef.current = false;
    setStuck(false);
    setSeenId(lastId);
    virtualizer.scrollToIndex(index, { align: 'center' });
    // only on an explicit request
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [scrollRequest]);

  const onScroll = () => {
    const el = scrollRef.current;
    if (!el) return;
    const atBottom =
      el.scrollHeight - el.scrollTop - el.clientHeight <= rowHeight;
    if (atBottom !== stuckRef.current) setStuckBoth(atBottom);
  };

  const jumpToEnd = () => {
    setStuckBoth(true);
    const el = scrollRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  };

  const newLines = stuck ? 0 : Math.max(0, lastId - seenId);
  const items = virtualizer.getVirtualItems();

  return (
    <div className={classes.frame}>
      <div
        ref={scrollRef}
        className={classes.scroller}
        style={{
          height: height === 'fill' ? fillHeight : height,
          ...(fontSize ? { fontSize, lineHeight: `${rowHeight}px` } : {}),
        }}
        onScroll={onScroll}
        role="log"
        aria-live="off"
        aria-label="Log lines"
        // a scrolling region must take focus so keyboard users can scroll it
        // eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex
        tabIndex={0}
      >
        {count === 0 ? (
          <div className={classes.empty}>{emptyText}</div>
        ) : (
          <div
            style={{ height: virtualizer.getTotalSize(), position: 'relative' }}
          >
            {items.map(item => {
              const entry = at(item.index);
              if (!entry) return null;
              const lineIndex = rows ? rows[item.index] : item.index;
              return (
                // Picking lines is a pointer shortcut (copy, link); the keyboard has the page's own text selection.
                // eslint-disable-next-line jsx-a11y/click-events-have-key-events, jsx-a11y/no-static-element-interactions
                <div
                  key={item.key}
                  data-index={item.index}
                  ref={measured ? virtualizer.measureElement : undefined}
                  className={`${classes.row} ${measured ? classes.wrap : ''} ${
                    lineIndex === currentLine ? classes.current : ''
                  } ${isSelected(selection, entry.id) ? classes.selected : ''}`}
                  aria-selected={isSelected(selection, entry.id) || undefined}
                  onClick={e => {
                    // A click that ends a text selection is a copy by hand, not a line pick.
                    if (window.getSelection()?.toString()) return;
                    onLineClick?.(entry, e.shiftKey);
                  }}
                  style={{
                    transform: `translateY(${item.start}px)`,
                    ...(!measured && fontSize ? { height: rowHeight } : {}),
                  }}
                  data-testid="log-line"
                >
                  <LogText
                    entry={entry}
                    tagMode={tagMode}
                    tagColor={entry.pod ? tagColor(entry.pod) : undefined}
                    timestamps={timestamps}
                    timeZone={timeZone}
                    json={json}
                    matcher={matcher}
                    current={lineIndex === currentLine}
                  />
                </div>
              );
            })}
          </div>
        )}
      </div>
      {newLines > 0 && (
        <Button
          className={classes.newLines}
          variant="contained"
          color="primary"
          size="small"
          startIcon={<ArrowDownwardIcon />}
          onClick={jumpToEnd}
        >
          {newLines.toLocaleString('en-US')} new{' '}
          {newLines === 1 ? 'line' : 'lines'}
        </Button>
      )}
    </div>
  );
}
