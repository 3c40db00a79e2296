import { decodeFrame, encodeFrame, Frame } from '@kube-troubleshoot/backstage-plugin-common';

/** A WebSocket that never opens: enough for views whose terminals only need to exist. */
export class QuietSocket {
  static readonly OPEN = 1;
  readyState = 0;
  binaryType = 'blob';
  onclose?: (e: { code: number }) => void;
  constructor(readonly url: string) {}
  send() {}
  close() {
    this.readyState = 3;
  }
}

/** Installs {@link QuietSocket} as the browser's WebSocket for a test file. */
export function installQuietSockets() {
  beforeAll(() => {
    (globalThis as { WebSocket?: unknown }).WebSocket = QuietSocket;
  });
}

/** Just enough of a browser WebSocket, driven by the test: it opens, receives frames and records what is sent. */
export class FakeSocket {
  static readonly OPEN = 1;
  readyState = 0;
  binaryType = 'blob';
  sent: Frame[] = [];
  closedWith?: number;
  onopen?: () => void;
  onmessage?: (e: { data: unknown }) => void;
  onclose?: (e: { code: number }) => void;
  onerror?: () => void;
  constructor(readonly url: string, readonly protocols: string[]) {}
  send(data: Uint8Array) {
    this.sent.push(decodeFrame(data));
  }
  close(code: number) {
    this.closedWith = code;
    this.readyState = 3;
  }
  open() {
    this.readyState = 1;
    this.onopen?.();
  }
  receive(frame: Frame) {
    const bytes = encodeFrame(frame);
    this.onmessage?.({ data: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) });
  }
}

/** Polls until `what` holds (5 s at most). */
export async function until(what: () => boolean) {
  const end = Date.now() + 5000;
  while (!what()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise(r => setTimeout(r, 10));
  }
}
