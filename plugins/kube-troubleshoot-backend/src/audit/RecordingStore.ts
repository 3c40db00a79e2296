import { randomUUID } from 'node:crypto';
import { Knex } from 'knex';
import { RecordingCommand, RecordingSummary, SessionEndReason } from '@kube-troubleshoot/backstage-plugin-common';
import { AsciicastHeader, headerLine } from './asciicast';

export interface NewRecording {
  kind: 'terminal' | 'debug';
  userRef: string;
  entityRef: string;
  cluster: string;
  namespace: string;
  pod: string;
  container: string;
  command: string;
  production: boolean;
  header: AsciicastHeader;
  /** The replica recording it: if that replica dies, another one closes the recording as lost. */
  replicaId?: string;
}

export interface RecordingFilter {
  entityRef?: string;
  userRef?: string;
  cluster?: string;
  production?: boolean;
  /** Text some command of the session contains (any case). */
  command?: string;
  from?: Date;
  to?: Date;
  limit?: number;
}

/** How many matching commands a search returns per recording. */
const MATCHES_PER_RECORDING = 5;

interface CommandRow {
  recording_id: string;
  seq: number;
  at: number | string;
  command: string;
  exit_code: number | null;
  source: string;
}

const toCommand = (r: CommandRow): RecordingCommand => ({
  at: Number(r.at),
  command: r.command,
  ...(r.exit_code === null ? {} : { exitCode: r.exit_code }),
  source: r.source as RecordingCommand['source'],
});

/**
 * Commands are searched in any case through a copy folded here, not by the database: SQLite's
 * lower() folds ASCII only. (migrations/20261204000000_command_folded.js folds the same way.) A
 * row without the copy (written by a replica not yet upgraded) is searched through lower().
 */
const foldCase = (text: string) => text.toLocaleLowerCase('en-US');

/** A LIKE pattern matching `text` anywhere in folded text, its wildcards taken literally (with ESCAPE '\\'). */
const containsPattern = (text: string) => `%${foldCase(text).replace(/[\\%_]/g, c => `\\${c}`)}%`;

interface Row {
  id: string;
  kind: string;
  user_ref: string;
  entity_ref: string;
  cluster: string;
  namespace: string;
  pod: string;
  container: string;
  command: string;
  production: boolean | number;
  header: string;
  started_at: string | Date;
  ended_at: string | Date | null;
  bytes_in: number | string;
  bytes_out: number | string;
  exit_code: number | null;
  end_reason: string | null;
  watchers?: string | null;
}

const iso = (v: string | Date | null) => (v === null ? undefined : new Date(v).toISOString());

function toSummary(r: Row): RecordingSummary {
  return {
    id: r.id,
    kind: r.kind as RecordingSummary['kind'],
    user: r.user_ref,
    entityRef: r.entity_ref,
    cluster: r.cluster,
    namespace: r.namespace,
    pod: r.pod,
    container: r.container,
    command: r.command,
    production: Boolean(r.production),
    startedAt: iso(r.started_at)!,
    endedAt: iso(r.ended_at),
    bytesIn: Number(r.bytes_in),
    bytesOut: Number(r.bytes_out),
    exitCode: r.exit_code ?? undefined,
    endReason: (r.end_reason ?? undefined) as SessionEndReason | undefined,
    ...(r.watchers ? { watchers: JSON.parse(r.watchers) as string[] } : {}),
  };
}

/** Recordings in the plugin database: one row per session, its events in ordered chunks. */
export class RecordingStore {
  constructor(private readonly db: Knex) {}

  async create(rec: NewRecording): Promise<string> {
    const id = randomUUID();
    await this.db('kt_recordings').insert({
      id,
      kind: rec.kind,
      user_ref: rec.userRef,
      entity_ref: rec.entityRef,
      cluster: rec.cluster,
      namespace: rec.namespace,
      pod: rec.pod,
      container: rec.container,
      command: rec.command.slice(0, 1024),
      production: rec.production,
      header: headerLine(rec.header),
      started_at: new Date(rec.header.timestamp * 1000),
      replica_id: rec.replicaId ?? null,
    });
    return id;
  }

  async appendChunk(id: string, seq: number, lines: string[]) {
    await this.db('kt_recording_chunks').insert({ recording_id: id, seq, events: lines.join('\n') });
  }

  async finish(id: string, end: { reason: SessionEndReason; exitCode?: number; bytesIn: number; bytesOut: number; watchers?: string[] }) {
    await this.db('kt_recordings')
      .where({ id })
      .update({
        ended_at: new Date(),
        end_reason: end.reason,
        exit_code: end.exitCode ?? null,
        bytes_in: end.bytesIn,
        bytes_out: end.bytesOut,
        watchers: end.watchers?.length ? JSON.stringify(end.watchers) : null,
      });
  }

  /** Adds commands to a recording's index, numbered from `seq`. */
  async addCommands(id: string, seq: number, commands: RecordingCommand[]) {
    if (!commands.length) return;
    await this.db('kt_recording_commands').insert(
      commands.map((c, i) => ({ recording_id: id, seq: seq + i, at: c.at, command: c.command, command_folded: foldCase(c.command), exit_code: c.exitCode ?? null, source: c.source })),
    );
  }

  /** A recording's command index, in order. */
  async commands(id: string): Promise<RecordingCommand[]> {
    return (await this.db<CommandRow>('kt_recording_commands').where({ recording_id: id }).orderBy('seq')).map(toCommand);
  }

  async get(id: string): Promise<RecordingSummary | undefined> {
    const row = await this.db<Row>('kt_recordings').where({ id }).first();
    return row ? toSummary(row) : undefined;
  }

  /** The whole recording as asciicast v2 text. */
  async content(id: string): Promise<string | undefined> {
    const row = await this.db<Row>('kt_recordings').where({ id }).first();
    if (!row) return undefined;
    const chunks = await this.db('kt_recording_chunks').where({ recording_id: id }).orderBy('seq').select('events');
    return `${[row.header, ...chunks.map((c: { events: string }) => c.events)].join('\n')}\n`;
  }

  async list(filter: RecordingFilter): Promise<RecordingSummary[]> {
    const q = this.db<Row>('kt_recordings').orderBy('started_at', 'desc').limit(Math.min(filter.limit ?? 100, 500));
    if (filter.entityRef) q.where('entity_ref', filter.entityRef);
    if (filter.userRef) q.where('user_ref', filter.userRef);
    if (filter.cluster) q.where('cluster', filter.cluster);
    if (filter.production !== undefined) q.where('production', filter.production);
    if (filter.from) q.where('started_at', '>=', filter.from);
    if (filter.to) q.where('started_at', '<=', filter.to);
    const pattern = filter.command ? containsPattern(filter.command) : '';
    const matching = (c: Knex.QueryBuilder) => c.whereRaw("coalesce(command_folded, lower(command)) like ? escape '\\'", [pattern]);
    if (pattern) {
      q.whereExists(matching(this.db('kt_recording_commands').select('seq').whereRaw('kt_recording_commands.recording_id = kt_recordings.id')));
    }
    const items = (await q).map(toSummary);
    if (!pattern || !items.length) return items;
    const rows = (await matching(this.db('kt_recording_commands').whereIn('recording_id', items.map(i => i.id)))
      .orderBy('recording_id')
      .orderBy('seq')) as CommandRow[];
    const byRecording = new Map<string, RecordingCommand[]>();
    for (const row of rows) {
      const list = byRecording.get(row.recording_id) ?? [];
      if (list.length < MATCHES_PER_RECORDING) list.push(toCommand(row));
      byRecording.set(row.recording_id, list);
    }
    return items.map(i => ({ ...i, matches: byRecording.get(i.id) ?? [] }));
  }

  /** Retention: removes recordings that started before `cutoff`; returns how many. */
  async deleteOlderThan(cutoff: Date): Promise<number> {
    const old = await this.db('kt_recordings').where('started_at', '<', cutoff).select('id');
    const ids = old.map((r: { id: string }) => r.id);
    for (let i = 0; i < ids.length; i += 200) {
      const batch = ids.slice(i, i + 200);
      await this.db('kt_recording_chunks').whereIn('recording_id', batch).delete();
      await this.db('kt_recording_commands').whereIn('recording_id', batch).delete();
      await this.db('kt_recordings').whereIn('id', batch).delete();
    }
    return ids.length;
  }
}
