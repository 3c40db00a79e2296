import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Pod, Sandbox, startSandbox } from '@internal/sandbox-cluster';
// eslint-disable-next-line @backstage/no-forbidden-package-imports -- a system test of the plugin's own modules
import { buildDebugContainer } from '@kube-troubleshoot/backstage-plugin-backend/src/debug/debugContainer';
// eslint-disable-next-line @backstage/no-forbidden-package-imports -- a system test of the plugin's own modules
import { DEBUG_PROFILES } from '@kube-troubleshoot/backstage-plugin-backend/src/debug/profiles';

/**
 * The debug container this plugin builds, against the one real `kubectl debug` makes for the same
 * image, target and profile (read back from the sandbox cluster it was sent to).
 */
jest.setTimeout(120_000);

function kubectl(): string | undefined {
  try {
    return execFileSync('sh', ['-c', 'command -v kubectl'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}
const bin = kubectl();
if (!bin) {
  if (process.env.CI === 'true') throw new Error('kubectl not found on PATH (required under CI)');
  process.stderr.write('SKIP: kubectl not found on PATH: the kubectl parity test of debug profiles needs it\n');
}

let sandbox: Sandbox;
let tmp: string;

beforeAll(async () => {
  if (!bin) return;
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kt-debug-parity-'));
  sandbox = await startSandbox({ kubeconfigPath: path.join(tmp, 'kubeconfig'), pullDelayMs: 5 });
  sandbox.cluster.createPod({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'app', namespace: 'default' }, spec: { containers: [{ name: 'main', image: 'sandbox.local/toolbox:1' }] } } as Pod);
});

afterAll(async () => {
  await sandbox?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

(bin ? describe : describe.skip)('debug containers match kubectl debug', () => {
  it.each(DEBUG_PROFILES.map(p => [p]))('profile %s', async profile => {
    const name = `dbg-${profile}`;
    await new Promise<void>((resolve, reject) =>
      execFile(bin!, ['--kubeconfig', path.join(tmp, 'kubeconfig'), 'debug', 'app', '--image=sandbox.local/debug-tools:1', '--target=main', '-c', name, `--profile=${profile}`, '--', 'true'], err =>
        err ? reject(err) : resolve(),
      ),
    );
    const made = sandbox.cluster.store.get<Pod>('pods', 'default', 'app')!.spec.ephemeralContainers!.find(c => c.name === name)!;
    const ours = buildDebugContainer({ name, image: 'sandbox.local/debug-tools:1', target: 'main', profile });
    // Same image, target and security context; ours adds the terminal (stdin, stdinOnce, tty) that a session needs.
    expect({ image: made.image, targetContainerName: made.targetContainerName, securityContext: made.securityContext }).toEqual({
      image: ours.image,
      targetContainerName: ours.targetContainerName,
      securityContext: ours.securityContext,
    });
  });
});
