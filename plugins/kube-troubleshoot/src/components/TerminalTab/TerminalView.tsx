import { useEffect, useRef } from 'react';
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
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
export function TerminalView(props: { binding: TerminalBinding; readOnly?: boolean; label: string; onTerminal?: (t: Terminal) => void }) {
  const { binding, readOnly, label, onTerminal } = props;
  const classes = useStyles();
  const host = useRef<HTMLDivElement>(null);

  useEffect(() => {
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
    term.open(host.current!);
    term.textarea?.setAttribute('aria-label', label);
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
          return false;
        }
        if (event.code === 'KeyV') {
          void navigator.clipboard?.readText().then(text => term.paste(text));
          return false;
        }
        return true;
      });
    }
    const refit = () => {
      try {
        fit.fit();
      } catch {
        // not laid out yet
      }
    };
    refit();
    binding.resize(term.cols, term.rows);
    const observer = new ResizeObserver(() => refit());
    observer.observe(host.current!);
    onTerminal?.(term);
    if (!readOnly) term.focus();
    return () => {
      observer.disconnect();
      term.dispose();
    };
    // The terminal is made once per binding.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [binding]);

  return <div ref={host} className={classes.host} data-testid="terminal" />;
}
