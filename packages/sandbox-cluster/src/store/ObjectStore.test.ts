import { ObjectStore, StoreError } from './ObjectStore';
import { KubeObject, StoreChange } from './types';

const pod = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' } });

describe('ObjectStore', () => {
  it('bumps one global resourceVersion per change and stamps it on the object', () => {
    const store = new ObjectStore();
    const a = store.create('pods', pod('a'));
    const b = store.update('pods', 'default', 'a', o => {
      o.metadata.labels = { x: 'y' };
    });
    expect(Number(b.metadata.resourceVersion)).toBe(Number(a.metadata.resourceVersion) + 1);
    expect(store.resourceVersion).toBe(Number(b.metadata.resourceVersion));
    expect(a.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses duplicates and unknown objects', () => {
    const store = new ObjectStore();
    store.create('pods', pod('a'));
    expect(() => store.create('pods', pod('a'))).toThrow(StoreError);
    expect(() => store.update('pods', 'default', 'nope', () => undefined)).toThrow('pods "nope" not found');
  });

  it('replays changes after a resourceVersion, then delivers live ones', () => {
    const store = new ObjectStore();
    store.create('pods', pod('a'));
    const since = store.resourceVersion;
    store.create('pods', pod('b'));
    store.create('events', { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e', namespace: 'default' } });
    const seen: StoreChange[] = [];
    const stop = store.watch('pods', since, c => seen.push(c));
    store.delete('pods', 'default', 'a');
    stop();
    store.create('pods', pod('c'));
    expect(seen.map(c => `${c.type} ${c.object.metadata.name}`)).toEqual(['ADDED b', 'DELETED a']);
  });

  it('expires resourceVersions that left the history window (410 on a real apiserver)', () => {
    const store = new ObjectStore({ historySize: 2 });
    store.create('pods', pod('a'));
    const old = store.resourceVersion;
    for (const n of ['b', 'c', 'd']) store.create('pods', pod(n));
    expect(() => store.watch('pods', old, () => undefined)).toThrow(/too old resource version/);
    store.compact();
    expect(() => store.watch('pods', store.resourceVersion - 1, () => undefined)).toThrow(/too old resource version/);
    expect(() => store.watch('pods', store.resourceVersion, () => undefined)).not.toThrow();
  });

  it('hands out copies, so callers cannot change stored state', () => {
    const store = new ObjectStore();
    store.create('pods', pod('a'));
    const got = store.get('pods', 'default', 'a')!;
    got.metadata.name = 'changed';
    expect(store.get('pods', 'default', 'a')!.metadata.name).toBe('a');
  });
});
