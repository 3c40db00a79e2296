import { useSyncExternalStore } from 'react';
import {
  SessionEnded,
  SessionNotice,
  SessionParticipants,
  SessionReady,
  SessionRole,
  TerminalSize,
} from '@kube-troubleshoot/backstage-plugin-common';
import { EntityRefParts, KubeTroubleshootApi } from '../../api';
import { ConnectionStatus, Resume, SessionOpening, SocketFactory, TerminalConnection } from './TerminalConnection';
import type { KeptScreen, TerminalBinding } from './TerminalView';

/** Whether two entity refs name the same entity (kind and names are case-insensitive). */
export function sameEntity(a: EntityRefParts, b: EntityRefParts): boolean {
  const norm = (e: EntityRefParts) => `${e.kind}:${e.namespace ?? 'default'}/${e.name}`.toLocaleLowerCase('en-US');
  return norm(a) === norm(b);
}

/** What a live terminal is on. */
export interface LiveTarget {
  entity: EntityRefParts;
  cluster: string;
  namespace?: string;
  pod: string;
  container: string;
  /** What the terminal is called when not `pod/container` (a debug container, a pod copy). */
  title?: string;
  /** The page it was opened on (the entity's Terminal tab): where the dock leads back to. */
  href?: string;
}

export interface LiveTerminalState {
  status: ConnectionStatus;
  ready?: SessionReady;
  ended?: SessionEnded;
  notice?: SessionNotice;
  failure?: Error & { statusCode?: number };
  warning?: string;
  participants?: SessionParticipants;
  /** The session's size, for a watcher (it shows the owner's). */
  size?: TerminalSize;
}

const END_REASONS: Record<SessionEnded['reason'], string> = {
  exit: 'The shell exited',
  idle: 'Closed for inactivity',
  'max-duration': 'Closed at the maximum session duration',
  shutdown: 'The portal backend restarted',
  upstream: 'The session ended',
  'no-shell': 'No shell in this container',
  client: 'Closed',
  disconnected: 'The connection dropped and did not come back',
  terminated: 'Ended by a platform admin',
  lost: 'The connection to the portal backend was lost',
};

/** An end reason in words: `Closed for inactivity`. */
export function endReasonWords(reason: SessionEnded['reason']): string {
  return END_REASONS[reason] ?? reason;
}

/** Why a session ended, in words for its status bar and the dock. */
export function endedText(ended: SessionEnded): string {
  if (ended.reason === 'exit') return `The shell exited with code ${ended.exitCode ?? 0}`;
  const code = ended.exitCode !== undefined ? ` (exit code ${ended.exitCode})` : '';
  return `${endReasonWords(ended.reason)}${code}: ${ended.message}`;
}


/** What survives a reload of the page (sessionStorage: this tab only). */
interface Saved {
  key: string;
  target: LiveTarget;
  role: SessionRole;
  startedAt: number;
  resume: Resume;
}

const STORAGE_KEY = 'kube-troubleshoot.live-terminals';

/**
 * One terminal session of this browser tab that outlives the page showing it: its connection, its
 * screen (kept while no tab shows it) and its state. Opening Logs, or another entity, leaves it
 * running; the dock lists it; the Terminal tab shows it again with its screen.
 */
export class LiveTerminal {
  private current: LiveTerminalState = { status: 'connecting' };
  private readonly listeners = new Set<() => void>();
  /** Output that came before any view showed the terminal. */
  private pending: Array<Uint8Array | string> = [];
  private writeTo?: (data: Uint8Array | string) => void;
  readonly connection: TerminalConnection;
  /** The xterm kept between views (made by the first). */
  readonly screen: KeptScreen = {};
  readonly binding: TerminalBinding;

  constructor(
    readonly key: string,
    readonly target: LiveTarget,
    private readonly asked: SessionRole,
    api: KubeTroubleshootApi,
    open: () => Promise<SessionOpening>,
    private readonly onChange: () => void,
    readonly startedAt = Date.now(),
    openSocket?: SocketFactory,
  ) {
    this.connection = new TerminalConnection(
      api,
      open,
      {
        data: bytes => this.write(bytes),
        status: status => this.set({ status }),
        ready: ready => this.set({ ready, ended: undefined, notice: undefined, failure: undefined }),
        ended: ended => {
          this.set({ ended, notice: undefined });
          // The reason is shown once, above the screen; the screen only marks where it ended.
          if (ended.reason !== 'no-shell') this.write('\r\n\x1b[2m[session ended]\x1b[0m\r\n');
        },
        notice: notice => this.set({ notice }),
        failed: failure => this.set({ failure }),
        warning: warning => this.set({ warning }),
        participants: participants => this.set({ participants }),
        size: size => this.set({ size }),
      },
      openSocket,
    );
    this.binding = {
      attach: write => {
        this.writeTo = write;
        for (const d of this.pending.splice(0)) write(d);
      },
      input: text => {
        if (this.current.notice) this.set({ notice: undefined });
        this.connection.input(text);
      },
      resize: (cols, rows) => {
        if (this.role === 'owner') this.connection.resize({ cols, rows });
      },
    };
  }

  /** Who this browser is in the session: what it asked to be until the backend says. */
  get role(): SessionRole {
    return this.current.ready?.role ?? this.asked;
  }

  get label() {
    return this.target.title ?? `${this.target.pod}/${this.target.container}`;
  }

  get state(): LiveTerminalState {
    return this.current;
  }

  /** Whether the session still runs (or is being reattached). */
  get alive() {
    return this.current.status !== 'ended' && this.current.status !== 'failed';
  }

  private set(patch: Partial<LiveTerminalState>) {
    this.current = { ...this.current, ...patch };
    for (const l of this.listeners) l();
    this.onChange();
  }

  write(data: Uint8Array | string) {
    if (this.writeTo) this.writeTo(data);
    else this.pending.push(data);
  }

  subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  };

  start() {
    void this.connection.connect();
  }

  /** A new session in place of an ended one (the Reconnect button). */
  reconnect() {
    this.set({ failure: undefined, ended: undefined, warning: undefined });
    this.write('\r\n\x1b[2m[reconnecting: a new session]\x1b[0m\r\n');
    this.start();
  }

  clearWarning() {
    this.set({ warning: undefined });
  }

  /** What a reload needs to take the session up again. */
  saved(): Saved | undefined {
    const resume = this.connection.resume;
    return resume && this.alive ? { key: this.key, target: this.target, role: this.role, startedAt: this.startedAt, resume } : undefined;
  }

  /** Ends the session (the user closed it) and lets its screen go. */
  dispose() {
    this.connection.close();
    this.screen.term?.dispose();
    this.screen.term = undefined;
    this.listeners.clear();
  }
}

/**
 * The live terminals of this browser tab, for every entity: the Terminal and Debug tabs add to it,
 * the dock lists it, and what is in it survives moving around the portal and reloading the page.
 */
export class LiveTerminals {
  private items: LiveTerminal[] = [];
  private readonly listeners = new Set<() => void>();
  private snapshot: LiveTerminal[] = [];
  private restored = false;

  constructor(private readonly storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | undefined = typeof sessionStorage === 'undefined' ? undefined : sessionStorage) {}

  private changed = () => {
    this.snapshot = [...this.items];
    this.persist();
    for (const l of this.listeners) l();
  };

  private persist() {
    if (!this.storage) return;
    const saved = this.items.map(t => t.saved()).filter((s): s is Saved => Boolean(s));
    try {
      if (saved.length) this.storage.setItem(STORAGE_KEY, JSON.stringify(saved));
      else this.storage.removeItem(STORAGE_KEY);
    } catch {
      // storage full or refused: a reload then starts afresh
    }
  }

  subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  };

  list = (): LiveTerminal[] => this.snapshot;

  /** Opens a session and keeps it. */
  open(api: KubeTroubleshootApi, target: LiveTarget, role: SessionRole, open: () => Promise<SessionOpening>, openSocket?: SocketFactory): LiveTerminal {
    const key = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    const live = new LiveTerminal(key, target, role, api, open, this.changed, Date.now(), openSocket);
    this.items.push(live);
    live.start();
    this.changed();
    return live;
  }

  /** Closes a session and forgets it. */
  close(key: string) {
    const live = this.items.find(t => t.key === key);
    if (!live) return;
    this.items = this.items.filter(t => t !== live);
    live.dispose();
    this.changed();
  }

  /** Takes up the sessions this tab had before a reload (once per page). */
  restore(api: KubeTroubleshootApi, openSocket?: SocketFactory) {
    if (this.restored || !this.storage) return;
    this.restored = true;
    let saved: Saved[] = [];
    try {
      saved = JSON.parse(this.storage.getItem(STORAGE_KEY) ?? '[]') as Saved[];
    } catch {
      return;
    }
    for (const s of saved) {
      if (!s?.resume?.token || s.role !== 'owner' || this.items.some(t => t.key === s.key)) continue;
      const { entity, cluster, pod, container, namespace } = s.target;
      // Reconnect, after it ended, opens a new shell on the same container.
      const open = () => api.createSession(entity, { cluster, pod, container, namespace });
      const live = new LiveTerminal(s.key, s.target, s.role, api, open, this.changed, s.startedAt, openSocket);
      this.items.push(live);
      live.connection.reattach(s.resume);
    }
    this.changed();
  }
}

/** This browser tab's live terminals. */
export const liveTerminals = new LiveTerminals();

/** The state of a live terminal, re-rendered as it changes. */
export function useLiveTerminal(live: LiveTerminal): LiveTerminalState {
  return useSyncExternalStore(live.subscribe, () => live.state);
}
