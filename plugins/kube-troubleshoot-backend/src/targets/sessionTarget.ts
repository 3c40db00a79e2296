import { CreateSessionResponse } from '@kube-troubleshoot/backstage-plugin-common';
import { Request } from 'express';

/**
 * What a session ticket opens: one container, already proven the entity's (or the user's own pod
 * copy's), and how. The Terminal and Debug tabs build these; the sessions module runs them.
 */
export interface SessionTarget {
  kind: 'terminal' | 'debug';
  entityRef: string;
  cluster: string;
  namespace: string;
  pod: string;
  container: string;
  /** Attach to the container's own process (debug containers) instead of exec'ing a shell. */
  attach?: boolean;
  /** The debug container was made for this session: its shell is nudged to show a prompt. */
  fresh?: boolean;
  /** The pod is a Debug-tab copy made for this session: deleted when the session ends. */
  deletePodOnEnd?: boolean;
}


/** Who a session is for, and the request (the WebSocket's) whose credentials name them in audit events. */
export interface SessionUser {
  userRef: string;
  request: Request;
}

/** What the Debug tab needs of the sessions: tickets, and a call when a session ended. */
export interface SessionTickets {
  issue(userRef: string, target: SessionTarget, basePath: string): Promise<CreateSessionResponse>;
  onSessionEnd(hook: (target: SessionTarget, user: SessionUser) => Promise<void>): void;
}
