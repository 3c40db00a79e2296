import path from 'node:path';
import { startSandbox } from './index';

/**
 * `npm run sandbox`: starts the sandbox cluster with the demo workloads and writes a kubeconfig.
 * Options: --port N (default 6443), --kubeconfig FILE, --workloads DIR (repeatable),
 * --rbac NAME=FILE (repeatable: a kubeconfig context sandbox-NAME with exactly that file's rules).
 */
async function main() {
  const args = process.argv.slice(2);
  const value = (flag: string) => {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : undefined;
  };
  // The repository root: this file is packages/sandbox-cluster/src/cli.ts and always runs from source.
  const root = path.resolve(require.resolve('@internal/sandbox-cluster/package.json'), '../../..');
  const workloads = args.flatMap((a, i) => (args[i - 1] === '--workloads' ? [a] : []));
  const rbac = Object.fromEntries(
    args.flatMap((a, i) => (args[i - 1] === '--rbac' ? [a] : [])).map(spec => {
      const m = /^([a-z0-9-]+)=(.+)$/.exec(spec);
      if (!m) throw new Error(`--rbac ${spec}: expected NAME=FILE`);
      return [m[1], path.resolve(m[2])];
    }),
  );
  const sandbox = await startSandbox({
    port: Number(value('--port') ?? process.env.SANDBOX_PORT ?? 6443),
    kubeconfigPath: path.resolve(value('--kubeconfig') ?? process.env.SANDBOX_KUBECONFIG ?? path.join(root, '.sandbox', 'kubeconfig')),
    workloads: workloads.length ? workloads : [path.join(root, 'examples', 'workloads')],
    rbac,
    backoffBaseMs: process.env.SANDBOX_BACKOFF_MS ? Number(process.env.SANDBOX_BACKOFF_MS) : undefined,
  });
  process.stdout.write(
    `sandbox cluster at ${sandbox.url}; kubeconfig ${sandbox.kubeconfigPath} (export KUBECONFIG=${sandbox.kubeconfigPath}); id ${sandbox.cluster.id}, data in ${sandbox.cluster.dataDir}\n`,
  );
  if (!sandbox.cluster.isolation.isolated) {
    process.stderr.write(
      `sandbox: warning: containers run as plain processes without namespaces or their own root (${sandbox.cluster.isolation.reason}); run as root on Linux for isolated containers\n`,
    );
  }
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    const started = Date.now();
    process.stderr.write('sandbox: stopping\n');
    try {
      await sandbox.stop();
      process.stderr.write(`sandbox: stopped in ${Date.now() - started} ms\n`);
    } catch (e) {
      process.stderr.write(`sandbox: stopping failed: ${(e as Error).stack ?? e}\n`);
      process.exit(1);
    }
    process.exit(0);
  };
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, stop);
  // Leave with the parent: stdin closes when whoever started us goes away.
  if (process.env.SANDBOX_EXIT_WITH_STDIN) process.stdin.on('end', stop).resume();
}

main().catch(e => {
  process.stderr.write(`sandbox: ${e.message}\n`);
  process.exit(1);
});
