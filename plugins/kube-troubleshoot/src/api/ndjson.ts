/**
 * Splits a byte stream into newline-delimited JSON values. Chunks may end mid-line and mid
 * UTF-8 character; the decoder and the carried-over remainder handle both.
 */
export class NdjsonDecoder<T> {
  private readonly decoder = new TextDecoder();
  private rest = '';

  /** The complete values in this chunk (plus what the previous chunks left unfinished). */
  push(chunk: Uint8Array | string): T[] {
    const text =
      typeof chunk === 'string'
        ? chunk
        : this.decoder.decode(chunk, { stream: true });
    const parts = (this.rest + text).split('\n');
    this.rest = parts.pop() ?? '';
    return parseLines<T>(parts);
  }

  /** The value of a last line without a newline, if any. */
  flush(): T[] {
    const last = this.rest + this.decoder.decode();
    this.rest = '';
    return parseLines<T>([last]);
  }
}

function parseLines<T>(lines: string[]): T[] {
  const out: T[] = [];
  for (const raw of lines) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as T);
    } catch {
      throw new Error(
        `The server sent a line that is not JSON: ${line.slice(0, 200)}`,
      );
    }
  }
  return out;
}

/**
 * Reads an NDJSON response body to its end, calling `onMessage` for each value. Returns quietly
 * when `signal` aborts: the caller asked for it.
 */
export async function readNdjson<T>(
  body: ReadableStream<Uint8Array>,
  onMessage: (message: T) => void,
  signal?: AbortSignal,
): Promise<void> {
  const reader = body.getReader();
  const decoder = new NdjsonDecoder<T>();
  const cancel = () => {
    reader.cancel().catch(() => undefined);
  };
  signal?.addEventListener('abort', cancel);
  try {
    for (;;) {
      if (signal?.aborted) return;
      let result: ReadableStreamReadResult<Uint8Array>;
      try {
        result = await reader.read();
      } catch (e) {
        if (signal?.aborted) return;
        throw e;
      }
      if (result.done) break;
      for (const m of decoder.push(result.value)) {
        if (signal?.aborted) return;
        onMessage(m);
      }
    }
    for (const m of decoder.flush()) onMessage(m);
  } finally {
    signal?.removeEventListener('abort', cancel);
    try {
      reader.releaseLock();
    } catch {
      // a read still pending after cancel; the stream is closed anyway
    }
  }
}
