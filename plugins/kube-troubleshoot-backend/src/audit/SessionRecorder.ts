import { LoggerService } from '@backstage/backend-plugin-api';
import { RecordingCommand } from '@kube-troubleshoot/backstage-plugin-common';
import { AsciicastEncoder, AsciicastEvent, eventLine } from './asciicast';
import { CommandIndexer } from './commandIndex';
import { RecordingStore } from './RecordingStore';

/**
 * Records one session into the store as it goes: events are buffered and written as a chunk every
 * `flushMs` or `maxChunkBytes`, so memory stays bounded and a crash loses at most one chunk. With
 * an indexer, the commands it finds are written with the chunks.
 */
export class SessionRecorder {
  private readonly encoder: AsciicastEncoder;
  private lines: string[] = [];
  private size = 0;
  private seq = 0;
  private commands: RecordingCommand[] = [];
  private commandSeq = 0;
  private writing: Promise<void> = Promise.resolve();
  private readonly timer: NodeJS.Timeout;
  private readonly startedAt: number;

  constructor(
    private readonly store: RecordingStore,
    readonly id: string,
    startedAt: number,
    private readonly logger: LoggerService,
    flushMs = 1000,
    private readonly maxChunkBytes = 64 * 1024,
    /** Record keystrokes too; off keeps what users type (passwords at no-echo prompts) out of the database. */
    private readonly recordInput = true,
    private readonly indexer?: CommandIndexer,
    private readonly now: () => number = () => Date.now(),
  ) {
    this.encoder = new AsciicastEncoder(startedAt, now);
    this.startedAt = startedAt;
    this.timer = setInterval(() => this.flush(), flushMs);
  }

  private add(event: AsciicastEvent | undefined) {
    if (!event) return;
    const line = eventLine(event);
    this.lines.push(line);
    this.size += line.length;
    if (this.size >= this.maxChunkBytes) this.flush();
  }

  /** Seconds into the recording, as its events count them. */
  private at() {
    return Number(((this.now() - this.startedAt) / 1000).toFixed(6));
  }

  private index(found: RecordingCommand[] | undefined) {
    if (found?.length) this.commands.push(...found);
  }

  output = (data: Buffer) => {
    this.add(this.encoder.output(data));
    this.index(this.indexer?.output(data, this.at()));
  };
  input = (data: Buffer) => {
    if (this.recordInput) this.add(this.encoder.input(data));
    this.index(this.indexer?.input(data, this.at()));
  };
  resize = (cols: number, rows: number) => this.add(this.encoder.resize(cols, rows));
  /** A moment of the session that is not terminal data (a watcher joined, the owner came back). */
  marker = (label: string) => this.add(this.encoder.marker(label));

  private flush() {
    if (this.commands.length) {
      const commands = this.commands;
      const from = this.commandSeq;
      this.commandSeq += commands.length;
      this.commands = [];
      this.writing = this.writing
        .then(() => this.store.addCommands(this.id, from, commands))
        .catch(e => this.logger.error(`recording ${this.id}: ${commands.length} indexed commands were not stored: ${(e as Error).message}`));
    }
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

  /**
   * Writes what is left; resolves when every chunk is stored. `exitCode`: the shell's own, when it
   * exited (the status of the command that ended it).
   */
  async close(exitCode?: number): Promise<void> {
    clearInterval(this.timer);
    this.index(this.indexer?.end(exitCode));
    this.flush();
    await this.writing;
  }
}
