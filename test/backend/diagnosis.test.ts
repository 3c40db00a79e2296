import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mockCredentials, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { EntityDiagnosisResponse, EntityMetricsResponse, PodDiagnosis } from '@kube-troubleshoot/backstage-plugin-common';
import { Pod, startSandbox, Sandbox } from '@internal/sandbox-cluster';
import kubeTroubleshootPlugin from '@kube-troubleshoot/backstage-plugin-backend';
import request from 'supertest';
import { repoRoot, waitFor, workloadsDir } from '../support/tools';

/**
 * The diagnosis and the metrics of the demo's broken workloads, through the backend against the
 * sandbox with exactly examples/rbac.yaml's rules: a crash on a missing Service, an OOM kill against
 * its limit and the peak seen, a pod no node fits, an image that does not exist. With a token
 * that may not read Services, nodes or metrics, the diagnosis says what it could not check.
 */
jest.setTimeout(120_000);

const ALICE = 'user:default/alice';
const component = (name: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, namespace: 'default', annotations: { 'backstage.io/kubernetes-id': name, 'backstage.io/kubernetes-namespace': 'default' } },
  spec: { type: 'service', lifecycle: 'production', owner: 'team-a' },
});
const ENTITIES = ['search-indexer', 'invoice-renderer', 'payments-api'];

let sandbox: Sandbox;
let tmp: string;

async function backendFor(token: string) {
  return startTestBackend({
    features: [
      kubeTroubleshootPlugin,
      catalogServiceMock.factory({ entities: ENTITIES.map(component) }),
      mockServices.rootConfig.factory({
        data: {
          permission: { enabled: true },
          kubeTroubleshoot: { clusters: [{ name: 'sandbox', url: sandbox.url, caData: sandbox.caData, serviceAccountToken: token }], metrics: { intervalSeconds: 1 } },
        },
      }),
      mockServices.permissions.mock({ authorize: async requests => requests.map(() => ({ result: AuthorizeResult.ALLOW })) }).factory,
    ],
  });
}

const api = (name: string, what: string) => `/api/kube-troubleshoot/entities/component/default/${name}/${what}`;

async function diagnosis(backend: Awaited<ReturnType<typeof backendFor>>, name: string): Promise<PodDiagnosis[]> {
  const res = await request(backend.server).get(api(name, 'diagnosis')).set('Authorization', mockCredentials.user.header(ALICE));
  expect(res.status).toBe(200);
  return (res.body as EntityDiagnosisResponse).pods;
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kt-diagnosis-'));
  // The demo as it is, the invoice renderer's batches ten times as fast.
  for (const f of fs.readdirSync(workloadsDir)) {
    const text = fs.readFileSync(path.join(workloadsDir, f), 'utf8');
    fs.writeFileSync(path.join(tmp, f), text.replace(/(name: BATCH_PAUSE_SECONDS\s+value: )"1"/, '$1"0.1"'));
  }
  sandbox = await startSandbox({ workloads: [tmp], pullDelayMs: 10, backoffBaseMs: 1000, metricsIntervalMs: 300 });
});

afterAll(async () => {
  await sandbox?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('the diagnosis of the demo, with the example RBAC', () => {
  let backend: Awaited<ReturnType<typeof backendFor>>;
  beforeAll(async () => {
    backend = await backendFor(sandbox.addRbacToken(path.join(repoRoot, 'examples', 'rbac.yaml')));
  });
  afterAll(() => backend?.stop());

  it('search-indexer: refused at opensearch:9200, from its environment, and no Service of that name', async () => {
    const d = await waitFor('the crash loop with its log', async () => {
      const pod = (await diagnosis(backend, 'search-indexer')).find(p => p.pod.startsWith('search-indexer-'));
      return pod?.details.some(l => l.startsWith('it was refused at')) ? pod : undefined;
    }, 60_000);
    expect(d.verdict).toMatch(/^container indexer of search-indexer-\S+ (keeps crashing \(exit code 1, Error\)|runs again, but it restarted \d+x; it last ended with exit code 1, Error)/);
    expect(d.nextStep).toBe('No Service named opensearch exists in namespace default, so opensearch does not resolve: deploy opensearch there, or point the app at the right address (OPENSEARCH_ADDRESS).');
    expect(d.details).toEqual(expect.arrayContaining([
      'it was refused at opensearch:9200: ERROR: connection refused: opensearch:9200',
      'the address comes from its environment: OPENSEARCH_ADDRESS',
      'Services in default: payments-api',
    ]));
  });

  it('search-api: running but not ready, the failing readiness probe described with its last answer', async () => {
    const d = await waitFor('the failing probe', async () => {
      const pod = (await diagnosis(backend, 'search-indexer')).find(p => p.pod === 'search-api');
      return pod && /readiness probe/.test(pod.verdict) ? pod : undefined;
    }, 60_000);
    expect(d).toMatchObject({ severity: 'warning', container: 'api', verdict: 'search-api is running but not ready: its readiness probe of api fails (query cache 40% warm: not ready for traffic)' });
    expect(d.details[0]).toBe('readiness probe of api: exec [sh -c test -f /tmp/cache-warm || { echo "query cache 40% warm: not ready for traffic"; exit 1; }] delay=0s timeout=1s period=5s #success=1 #failure=3');
    expect(d.details[1]).toMatch(/^failed \d+x, last answer: query cache 40% warm: not ready for traffic$/);
  });

  it('gpu-trainer and reports-legacy: the unmatched label, once; the tag that does not exist', async () => {
    const pods = await waitFor('both pods of payments-api and search-indexer', async () => {
      const all = [...(await diagnosis(backend, 'search-indexer')), ...(await diagnosis(backend, 'payments-api'))];
      return all.some(p => p.pod === 'gpu-trainer') && all.some(p => p.pod === 'reports-legacy' && /does not exist/.test(p.verdict)) ? all : undefined;
    }, 30_000);
    const gpu = pods.find(p => p.pod === 'gpu-trainer')!;
    expect(gpu.verdict).toBe('gpu-trainer cannot be scheduled: no node has the label accelerator=nvidia-a100 its nodeSelector asks for');
    expect(gpu.nextStep).toContain('kubectl label node NODE accelerator=nvidia-a100');
    expect([gpu.verdict, gpu.nextStep, ...gpu.details].join('\n').match(/nodes are available/g)).toHaveLength(1);
    const reports = pods.find(p => p.pod === 'reports-legacy')!;
    expect(reports.verdict).toMatch(
      /^reports-legacy cannot pull the image sandbox\.local\/reports:2\.0-missing of container reports: the tag 2\.0-missing of reports does not exist in sandbox\.local \((ErrImagePull|ImagePullBackOff)\)$/,
    );
  });

  it('invoice-renderer: memory climbs toward its limit in the metrics, is flagged near it, and the OOM kill is set against the peak', async () => {
    const seen: number[] = [];
    const metrics = await waitFor('an OOM kill after memory was seen climbing', async () => {
      const res = await request(backend.server).get(api('invoice-renderer', 'metrics')).set('Authorization', mockCredentials.user.header(ALICE));
      const body = res.body as EntityMetricsResponse;
      const c = body.pods[0]?.containers[0];
      if (c?.usage) seen.push(c.usage.memoryBytes);
      const pod = sandbox.cluster.store.list<Pod>('pods', 'default').find(p => p.metadata.name.startsWith('invoice-renderer-'));
      const killed = pod?.status?.containerStatuses?.[0]?.restartCount;
      return killed && (c?.history.length ?? 0) >= 3 ? body : undefined;
    }, 60_000);
    expect(metrics.clusterErrors).toEqual([]);
    const c = metrics.pods[0].containers[0];
    expect(c).toMatchObject({ name: 'renderer', requests: { cpuCores: 0.05, memoryBytes: 32 * 2 ** 20 }, limits: { memoryBytes: 64 * 2 ** 20 } });
    expect(c.history.length).toBeGreaterThanOrEqual(3);
    expect(c.history.map(h => h.at)).toEqual([...new Set(c.history.map(h => h.at))].sort());
    expect(Math.max(...seen)).toBeGreaterThan(8 * 2 ** 20);
    expect(c.peakMemoryBytes).toBeGreaterThan(8 * 2 ** 20);
    // A run sampled from its start to its kill (the first may have died before sampling began).
    const d = await waitFor('the peak of a run that was sampled until its kill', async () => {
      const pod = (await diagnosis(backend, 'invoice-renderer')).find(p => p.pod.startsWith('invoice-renderer-'));
      return pod && /before the kill: /.test(pod.details[1] ?? '') ? pod : undefined;
    }, 60_000);
    expect(d.verdict).toMatch(/exit code 137, OOMKilled/);
    expect(d.nextStep).toMatch(/^It was killed for using more than its 64 MiB memory limit \(OOMKilled, exit code 137\): raise resources\.limits\.memory above what it needs \(the most seen in use before the kill was [\d.]+ MiB; a burst between two samples is not seen\)/);
    expect(d.details[0]).toBe('memory limit: 64 MiB');
    expect(d.details[1]).toMatch(/^the most memory seen in use before the kill: [\d.]+ MiB at \S+ \(\d+% of the limit\)$/);
  });
});

describe('with a token that may not read Services, nodes or metrics', () => {
  let backend: Awaited<ReturnType<typeof backendFor>>;
  beforeAll(async () => {
    // Pods, their logs and events, owners: the tabs' reads without the diagnosis's extra ones.
    const token = sandbox.addToken('system:serviceaccount:backstage:narrow', [
      { verbs: ['get', 'list'], apiGroups: [''], resources: ['pods', 'pods/log'] },
      { verbs: ['list', 'watch'], apiGroups: [''], resources: ['events'] },
      { verbs: ['get'], apiGroups: ['apps'], resources: ['replicasets', 'deployments'] },
    ]);
    backend = await backendFor(token);
  });
  afterAll(() => backend?.stop());

  it('says what it could not check, and the metrics say why they are missing', async () => {
    const d = await waitFor('the crash loop with its log', async () => {
      const pod = (await diagnosis(backend, 'search-indexer')).find(p => p.pod.startsWith('search-indexer-'));
      return pod?.details.some(l => l.startsWith('it was refused at')) ? pod : undefined;
    }, 60_000);
    expect(d.details).toContain('the Services of default could not be read to check for opensearch');
    expect(d.nextStep).toBe('It cannot reach opensearch:9200: check that a Service opensearch exists in default with ready endpoints.');
    const res = await request(backend.server).get(api('invoice-renderer', 'metrics')).set('Authorization', mockCredentials.user.header(ALICE));
    const body = res.body as EntityMetricsResponse;
    expect(body.clusterErrors).toEqual([expect.objectContaining({ cluster: 'sandbox', statusCode: 403 })]);
    expect(body.pods[0].containers[0].history).toEqual([]);
  });
});
