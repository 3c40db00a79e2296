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

  describe("the official plugin's kubernetes.clusterLocatorMethods, when kubeTroubleshoot.clusters is absent", () => {
    const official = (methods: JsonValue[], extra: Record<string, JsonValue> = {}) => {
      const warnings: string[] = [];
      const clusters = readClusterConfig(new ConfigReader({ kubernetes: { clusterLocatorMethods: methods }, ...extra }), m => warnings.push(m));
      return { clusters, warnings };
    };

    it('reads config clusters with a service account token, either authProvider spelling', () => {
      const { clusters, warnings } = official([
        {
          type: 'config',
          clusters: [
            { name: 'east', url: 'https://east:6443', authProvider: 'serviceAccount', serviceAccountToken: 't1', caData: 'ca', skipMetricsLookup: true },
            { name: 'west', url: 'https://west:6443', authMetadata: { 'kubernetes.io/auth-provider': 'serviceAccount' }, serviceAccountToken: 't2', skipTLSVerify: true },
          ],
        },
      ]);
      expect(clusters).toEqual([
        { name: 'east', production: false, source: { type: 'url', url: 'https://east:6443', serviceAccountToken: 't1', caData: 'ca', caFile: undefined, skipTLSVerify: false } },
        { name: 'west', production: false, source: { type: 'url', url: 'https://west:6443', serviceAccountToken: 't2', caData: undefined, caFile: undefined, skipTLSVerify: true } },
      ]);
      expect(warnings).toEqual([]);
    });

    it('reads localKubectlProxy as kubectl proxy on 127.0.0.1:8001', () => {
      expect(official([{ type: 'localKubectlProxy' }]).clusters).toEqual([
        { name: 'local', production: false, source: { type: 'url', url: 'http://127.0.0.1:8001', skipTLSVerify: false } },
      ]);
    });

    it("skips, naming them, clusters that use the user's credentials and locators it cannot read", () => {
      const { clusters, warnings } = official([
        { type: 'catalog' },
        {
          type: 'config',
          clusters: [
            { name: 'gcp', url: 'https://gcp', authProvider: 'google' },
            { name: 'sa', url: 'https://sa', authProvider: 'serviceAccount' },
            { name: 'ok', url: 'https://ok', authProvider: 'serviceAccount', serviceAccountToken: 't' },
          ],
        },
      ]);
      expect(clusters.map(c => c.name)).toEqual(['ok']);
      expect(warnings).toEqual([
        'kubernetes.clusterLocatorMethods[0] (type catalog) is not read: list its clusters under kubeTroubleshoot.clusters',
        expect.stringMatching(/^kubernetes.clusterLocatorMethods\[1\].clusters\[0\] \("gcp", authProvider google\) is not used/),
        expect.stringMatching(/^kubernetes.clusterLocatorMethods\[1\].clusters\[1\] \("sa", authProvider serviceAccount without serviceAccountToken\) is not used/),
      ]);
    });

    it('is ignored when kubeTroubleshoot.clusters is set', () => {
      const { clusters } = official([{ type: 'localKubectlProxy' }], { kubeTroubleshoot: { clusters: [{ name: 'mine', inCluster: true }] } });
      expect(clusters.map(c => c.name)).toEqual(['mine']);
    });

    it('marks kubeTroubleshoot.productionClusters as production, and refuses unknown names', () => {
      const methods = [{ type: 'config', clusters: [{ name: 'prod', url: 'https://p', authProvider: 'serviceAccount', serviceAccountToken: 't' }] }];
      expect(official(methods, { kubeTroubleshoot: { productionClusters: ['prod'] } }).clusters[0].production).toBe(true);
      expect(() => official(methods, { kubeTroubleshoot: { productionClusters: ['prd'] } })).toThrow(
        'kubeTroubleshoot.productionClusters names "prd", which is not a configured cluster (prod)',
      );
    });

    it('rejects a bad url and duplicate names with the key', () => {
      expect(() => official([{ type: 'config', clusters: [{ name: 'a', url: 'ftp://a', authProvider: 'serviceAccount', serviceAccountToken: 't' }] }])).toThrow(
        'kubernetes.clusterLocatorMethods[0].clusters[0].url "ftp://a" is not an http(s) URL',
      );
      expect(() =>
        official([
          { type: 'config', clusters: [{ name: 'a', url: 'https://a', authProvider: 'serviceAccount', serviceAccountToken: 't' }] },
          { type: 'config', clusters: [{ name: 'a', url: 'https://b', authProvider: 'serviceAccount', serviceAccountToken: 't' }] },
        ]),
      ).toThrow('kubernetes.clusterLocatorMethods[1].clusters[0].name "a" is used by another cluster');
    });
  });
});
