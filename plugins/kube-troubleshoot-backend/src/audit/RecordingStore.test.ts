import { Knex } from 'knex';
import { RecordingStore } from './RecordingStore';
import { migratedDb } from '../testUtils/migratedDb';

let db: Knex;

beforeEach(async () => {
  db = await migratedDb();
});
afterEach(() => db.destroy());

const header = (t: number) => ({ version: 2 as const, width: 80, height: 24, timestamp: t });
const rec = (user: string, entity: string, t: number) => ({
  kind: 'terminal' as const,
  userRef: user,
  entityRef: entity,
  cluster: 'c',
  namespace: 'ns',
  pod: 'p',
  container: 'main',
  command: 'bash or sh',
  production: false,
  header: header(t),
});

describe('RecordingStore', () => {
  it('stores chunks in order and returns the whole asciicast', async () => {
    const store = new RecordingStore(db);
    const id = await store.create(rec('user:default/alice', 'component:default/web', 1_700_000_000));
    await store.appendChunk(id, 1, ['[0.2,"o","b"]']);
    await store.appendChunk(id, 0, ['[0.1,"o","a"]', '[0.15,"i","x"]']);
    await store.finish(id, { reason: 'exit', exitCode: 0, bytesIn: 1, bytesOut: 2 });
    expect(await store.content(id)).toBe('{"version":2,"width":80,"height":24,"timestamp":1700000000}\n[0.1,"o","a"]\n[0.15,"i","x"]\n[0.2,"o","b"]\n');
    expect(await store.get(id)).toMatchObject({ user: 'user:default/alice', exitCode: 0, endReason: 'exit', bytesIn: 1, bytesOut: 2, startedAt: '2023-11-14T22:13:20.000Z' });
    expect(await store.get('nope')).toBeUndefined();
    expect(await store.content('nope')).toBeUndefined();
  });

  it('lists newest first, filtered by entity, user and time; retention deletes old ones with their chunks', async () => {
    const store = new RecordingStore(db);
    const old = await store.create(rec('user:default/alice', 'component:default/web', 1_600_000_000));
    await store.appendChunk(old, 0, ['[0,"o","x"]']);
    const mid = await store.create(rec('user:default/bob', 'component:default/web', 1_650_000_000));
    const recent = await store.create(rec('user:default/alice', 'component:default/api', 1_700_000_000));
    expect((await store.list({})).map(r => r.id)).toEqual([recent, mid, old]);
    expect((await store.list({ userRef: 'user:default/alice' })).map(r => r.id)).toEqual([recent, old]);
    expect((await store.list({ entityRef: 'component:default/web' })).map(r => r.id)).toEqual([mid, old]);
    expect((await store.list({ from: new Date(1_640_000_000_000), to: new Date(1_660_000_000_000) })).map(r => r.id)).toEqual([mid]);
    expect((await store.list({ limit: 1 })).map(r => r.id)).toEqual([recent]);
    expect(await store.deleteOlderThan(new Date(1_660_000_000_000))).toBe(2);
    expect((await store.list({})).map(r => r.id)).toEqual([recent]);
    expect(await db('kt_recording_chunks').count({ n: '*' })).toEqual([{ n: 0 }]);
  });

  it('keeps a command index and finds recordings by command text, cluster and production', async () => {
    const store = new RecordingStore(db);
    const prodAlice = await store.create({ ...rec('user:default/alice', 'component:default/web', 1_700_000_000), cluster: 'prod-eu', production: true });
    const devAlice = await store.create(rec('user:default/alice', 'component:default/web', 1_700_000_100));
    const prodBob = await store.create({ ...rec('user:default/bob', 'component:default/api', 1_700_000_200), cluster: 'prod-eu', production: true });
    await store.addCommands(prodAlice, 0, [
      { at: 1.5, command: 'ls /var/cache', exitCode: 0, source: 'shell' },
      { at: 3, command: 'RM -RF /var/cache/app', exitCode: 1, source: 'shell' },
    ]);
    await store.addCommands(prodAlice, 2, [{ at: 4, command: 'echo 100%_done', source: 'input' }]);
    await store.addCommands(devAlice, 0, [{ at: 1, command: 'rm -rf /tmp/x', exitCode: 0, source: 'shell' }]);
    await store.addCommands(prodBob, 0, [
      { at: 2, command: 'cat /etc/hosts', exitCode: 0, source: 'shell' },
      { at: 3, command: 'echo ÉTÉ > /tmp/Straße', exitCode: 0, source: 'shell' },
    ]);

    expect(await store.commands(prodAlice)).toEqual([
      { at: 1.5, command: 'ls /var/cache', exitCode: 0, source: 'shell' },
      { at: 3, command: 'RM -RF /var/cache/app', exitCode: 1, source: 'shell' },
      { at: 4, command: 'echo 100%_done', source: 'input' },
    ]);
    // "Who ran rm -rf on production": any case, with the matching commands.
    const found = await store.list({ command: 'rm -rf', production: true });
    expect(found.map(r => [r.id, r.matches?.map(m => m.command)])).toEqual([[prodAlice, ['RM -RF /var/cache/app']]]);
    expect((await store.list({ command: 'rm -rf' })).map(r => r.id)).toEqual([devAlice, prodAlice]);
    expect((await store.list({ cluster: 'prod-eu' })).map(r => r.id)).toEqual([prodBob, prodAlice]);
    expect((await store.list({ production: false })).map(r => r.id)).toEqual([devAlice]);
    expect((await store.list({ cluster: 'prod-eu', userRef: 'user:default/bob', command: 'hosts' })).map(r => r.id)).toEqual([prodBob]);
    // Beyond ASCII too, which SQLite's lower() would not fold.
    expect((await store.list({ command: 'été > /tmp/STRASSE'.replace('SS', 'ß') })).map(r => r.id)).toEqual([prodBob]);
    expect((await store.list({ command: 'echo été' })).map(r => r.matches?.map(m => m.command))).toEqual([['echo ÉTÉ > /tmp/Straße']]);
    // A row written by a replica not yet upgraded (no folded copy) is still found.
    await db('kt_recording_commands').insert({ recording_id: devAlice, seq: 1, at: 2, command: 'Shutdown -r', exit_code: 0, source: 'shell' });
    expect((await store.list({ command: 'shutdown' })).map(r => r.id)).toEqual([devAlice]);
    // LIKE's wildcards are taken as the text they are.
    expect((await store.list({ command: '%' })).map(r => r.id)).toEqual([prodAlice]);
    expect((await store.list({ command: '0%_d' })).map(r => r.id)).toEqual([prodAlice]);
    expect(await store.list({ command: 'r_' })).toEqual([]);
    expect(await store.deleteOlderThan(new Date(1_800_000_000_000))).toBe(3);
    expect(await db('kt_recording_commands').count({ n: '*' })).toEqual([{ n: 0 }]);
  });
});

describe('the command_folded migration', () => {
  it('folds the commands indexed before it', async () => {
    const raw = await migratedDb({ until: '20261203000000_command_index.js' });
    try {
      await raw('kt_recording_commands').insert({ recording_id: 'r1', seq: 0, at: 1, command: 'RM -RF /ÉTÉ', exit_code: 0, source: 'shell' });
      await raw.migrate.up();
      expect(await raw('kt_recording_commands').select('command_folded')).toEqual([{ command_folded: 'rm -rf /été' }]);
    } finally {
      await raw.destroy();
    }
  });
});
