import { ConfigReader } from '@backstage/config';
import { JsonValue } from '@backstage/types';
import { readClusterConfig } from './readClusterConfig';

const read = (clusters: JsonValue[]) => readClusterConfig(new ConfigReader({ kubeTroubleshoot: { clusters } }));

describe('readClusterConfig', () => {
  it('reads url clusters with the official plugin\'s keys', () => {
    expect(read([{ name: 'prod', url: 'https://k8s:6443', authProvider: 'serviceAccount', serviceAccountToken: 't', caData: 'x', production: true }])).toEqual([
      { name: 'prod', production: true, source: { type: 'url', url: 'https://k8s:6443', serviceAccountToken: 't', caData: 'x', caFile: undefined, skipTLSVerify: false } },
    ]);
  });
  it('reads kubeconfig and in-cluster entries', () => {
    expect(read([{ name: 'a', kubeconfig: { path: '/k', context: 'c' } }, { name: 'b', inCluster: true }]).map(c => c.source)).toEqual([
      { type: 'kubeconfig', path: '/k', context: 'c' },
      { type: 'inCluster' },
    ]);
  });
  it('is empty without the block', () => {
    expect(readClusterConfig(new ConfigReader({}))).toEqual([]);
  });
  it.each([
    [[{ url: 'https://x', serviceAccountToken: 't' }], 'kubeTroubleshoot.clusters[0].name is required'],
    [[{ name: 'a', url: 'https://x', serviceAccountToken: 't' }, { name: 'a', inCluster: true }], 'kubeTroubleshoot.clusters[1].name "a" is used by another cluster'],
    [[{ name: 'a' }], 'kubeTroubleshoot.clusters[0] needs exactly one of url, kubeconfig or inCluster (found none)'],
    [[{ name: 'a', url: 'https://x', inCluster: true, serviceAccountToken: 't' }], 'kubeTroubleshoot.clusters[0] needs exactly one of url, kubeconfig or inCluster (found url, inCluster)'],
    [[{ name: 'a', url: 'ftp://x', serviceAccountToken: 't' }], 'kubeTroubleshoot.clusters[0].url "ftp://x" is not an http(s) URL'],
    [[{ name: 'a', url: 'https://x' }], 'kubeTroubleshoot.clusters[0].serviceAccountToken is required with authProvider serviceAccount'],
    [[{ name: 'a', url: 'https://x', serviceAccountToken: 't', authProvider: 'google' }], 'kubeTroubleshoot.clusters[0].authProvider "google" is not supported'],
    [[{ name: 'a', url: 'https://x', serviceAccountToken: 't', caData: 'a', caFile: 'b' }], 'kubeTroubleshoot.clusters[0] sets both caData and caFile; keep one'],
    [[{ name: 'a', kubeconfig: {} }], 'kubeTroubleshoot.clusters[0].kubeconfig.path is required'],
  ])('rejects %j with a message naming the key', (clusters, message) => {
    expect(() => read(clusters)).toThrow(message);
  });
});
