import { useEffect, useRef } from 'react';
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import { SearchAddon } from '@xterm/addon-search';
import '@xterm/xterm/css/xterm.css';
import { makeStyles } from '@material-ui/core/styles';

const useStyles = makeStyles({
  host: {
    height: '100%',
    minHeight: 320,
    background: '#1e1e1e',
    padding: 6,
    boxSizing: 'border-box',
    '& .xterm': { height: '100%' },
  },
});

/** A terminal kept between views (a live session's): made by the first view, moved by the next ones. */
export interface KeptScreen {
  term?: Terminal;
  fit?: FitAddon;
  /** Search in the scrollback. */
  search?: SearchAddon;
}

/** What a terminal view shows and where its keys go. */
export interface TerminalBinding {
  /** Called once with a function that writes to the screen. */
  attach(write: (data: Uint8Array | string) => void, clear: () => void): void;
  input(text: string): void;
  resize(cols: number, rows: number): void;
}

/**
 * An xterm.js terminal that fills its box and follows its size (fit addon + ResizeObserver), with
 * copy (Ctrl+Shift+C, or the selection) and paste (Ctrl+Shift+V) that do not steal Ctrl+C from the
 * shell.
 */
export function TerminalView(props: {
  binding: TerminalBinding;
  readOnly?: boolean;
  label: string;
  onTerminal?: (t: Terminal) => void;
  keep?: KeptScreen;
  /** The terminal keeps the size it is given (a replay at its recording's size): it is scaled to fit, not refitted. */
  fixedSize?: boolean;
  fontSize?: number;
}) {
  const { binding, readOnly, label, onTerminal, keep, fixedSize, fontSize = 14 } = props;
  const classes = useStyles();
  const host = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const kept = keep?.term && keep.fit ? { term: keep.term, fit: keep.fit, search: keep.search } : undefined;
    const { term, fit, search } = kept ?? makeTerminal(binding, Boolean(readOnly));
    if (keep) Object.assign(keep, { term, fit, search: keep.search ?? search });
    // A kept terminal moves here with its screen; a new one opens here.
    if (term.element) host.current!.appendChild(term.element);
    else term.open(host.current!);
    term.textarea?.setAttribute('aria-label', label);
    const refit = () => {
      if (fixedSize) {
        scaleToFit(term, host.current!);
        return;
      }
      try {
        fit.fit();
      } catch {
        // not laid out yet
      }
    };
    term.options.fontSize = fontSize;
    // A recording's resize: scaled again once drawn at its new size.
    const renders = fixedSize ? term.onResize(() => requestAnimationFrame(() => host.current && scaleToFit(term, host.current))) : undefined;
    refit();
    if (kept) term.refresh(0, term.rows - 1);
    binding.resize(term.cols, term.rows);
    const observer = new ResizeObserver(() => refit());
    observer.observe(host.current!);
    onTerminal?.(term);
    if (!readOnly) term.focus();
    return () => {
      observer.disconnect();
      renders?.dispose();
      if (keep) term.element?.remove();
      else term.dispose();
    };
    // The terminal is made once per binding.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [binding]);

  // A new text size: the same box holds more or fewer rows and columns.
  useEffect(() => {
    const term = keep?.term ?? undefined;
    if (!term || term.options.fontSize === fontSize) return;
    term.options.fontSize = fontSize;
    try {
      keep?.fit?.fit();
    } catch {
      // not laid out yet
    }
  }, [fontSize, keep]);

  return <div ref={host} className={classes.host} data-testid="terminal" />;
}

/** Scales a terminal of a fixed size down so that all its rows and columns show in `box`. */
function scaleToFit(term: Terminal, box: HTMLElement) {
  const screen = term.element?.querySelector<HTMLElement>('.xterm-screen');
  if (!screen || !term.element) return;
  const width = screen.offsetWidth;
  const height = screen.offsetHeight;
  if (!width || !height) return;
  const style = getComputedStyle(box);
  const innerWidth = box.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  const innerHeight = box.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
  const scale = Math.min(1, innerWidth / width, innerHeight / height);
  // The element is only as big as its rows: left at the box's size, its empty part showed as a black band below them.
  term.element.style.width = `${width}px`;
  term.element.style.height = `${height}px`;
  term.element.style.transformOrigin = 'top left';
  term.element.style.transform = scale < 1 ? `scale(${scale})` : '';
  term.element.dataset.scale = scale.toFixed(3);
}

/** A new xterm bound to `binding`: its output, keys (copy and paste without stealing Ctrl+C) and size. */
function makeTerminal(binding: TerminalBinding, readOnly: boolean) {
  const term = new Terminal({
    cursorBlink: !readOnly,
    disableStdin: Boolean(readOnly),
    convertEol: false,
    fontFamily: 'Menlo, Consolas, "DejaVu Sans Mono", monospace',
    fontSize: 14,
    scrollback: 5000,
    theme: { background: '#1e1e1e' },
  });
  const fit = new FitAddon();
  term.loadAddon(fit);
  const search = new SearchAddon();
  term.loadAddon(search);
  binding.attach(
    data => term.write(data),
    () => term.reset(),
  );
  term.onResize(({ cols, rows }) => binding.resize(cols, rows));
  if (!readOnly) {
    term.onData(data => binding.input(data));
    term.attachCustomKeyEventHandler(event => {
      if (event.type !== 'keydown' || !event.ctrlKey || !event.shiftKey) return true;
      if (event.code === 'KeyC') {
        const selection = term.getSelection();
        if (selection) void navigator.clipboard?.writeText(selection);
        event.preventDefault();
        return false;
      }
      if (event.code === 'KeyV') {
        // Returning false only keeps xterm from handling the key: without preventDefault, the
        // browser's own paste follows and the text arrives twice.
        event.preventDefault();
        void navigator.clipboard?.readText().then(text => term.paste(text));
        return false;
      }
      return true;
    });
  }
  return { term, fit, search };
}
