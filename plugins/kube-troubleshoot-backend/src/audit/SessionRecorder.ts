import { LoggerService } from '@backstage/backend-plugin-api';
import { AsciicastEncoder, AsciicastEvent, eventLine } from './asciicast';
import { RecordingStore } from './RecordingStore';

/**
 * Records one session into the store as it goes: events are buffered and written as a chunk every
 * `flushMs` or `maxChunkBytes`, so memory stays bounded and a crash loses at most one chunk.
 */
export class SessionRecorder {
  private readonly encoder: AsciicastEncoder;
  private lines: string[] = [];
  private size = 0;
  private seq = 0;
  private writing: Promise<void> = Promise.resolve();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly store: RecordingStore,
    readonly id: string,
    startedAt: number,
    private readonly logger: LoggerService,
    flushMs = 1000,
    private readonly maxChunkBytes = 64 * 1024,
    /** Record keystrokes too; off keeps what users type (passwords at no-echo prompts) out of the database. */
    private readonly recordInput = true,
  ) {
    this.encoder = new AsciicastEncoder(startedAt);
    this.timer = setInterval(() => this.flush(), flushMs);
  }

  private add(event: AsciicastEvent | undefined) {
    if (!event) return;
    const line = eventLine(event);
    this.lines.push(line);
    this.size += line.length;
    if (this.size >= this.maxChunkBytes) this.flush();
  }

  output = (data: Buffer) => this.add(this.encoder.output(data));
  input = (data: Buffer) => {
    if (this.recordInput) this.add(this.encoder.input(data));
  };
  resize = (cols: number, rows: number) => this.add(this.encoder.resize(cols, rows));
  /** A moment of the session that is not terminal data (a watcher joined, the owner came back). */
  marker = (label: string) => this.add(this.encoder.marker(label));

  private flush() {
    if (!this.lines.length) return;
    const lines = this.lines;
    const seq = this.seq++;
    this.lines = [];
    this.size = 0;
    // Chunks are written in order, one at a time.
    this.writing = this.writing
      .then(() => this.store.appendChunk(this.id, seq, lines))
      .catch(e => this.logger.error(`recording ${this.id}: chunk ${seq} was not stored: ${(e as Error).message}`));
  }

  /** Writes what is left; resolves when every chunk is stored. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    this.flush();
    await this.writing;
  }
}
