import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

/**
 * Finds a tool the system tests need. Missing tools skip the tests that need them on a developer's
 * machine (with the reason printed), but fail under CI=true, where everything must run.
 */
export function findTool(name: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

export function requireTool(name: string, why: string): string | undefined {
  const found = findTool(name);
  if (!found) {
    const message = `${name} not found on PATH: ${why}`;
    if (process.env.CI === 'true' || process.env.CI === '1') throw new Error(`${message} (required under CI)`);
    process.stderr.write(`SKIP: ${message}\n`);
  }
  return found;
}

/** kubectl binaries to test against: `kubectl` plus the versioned ones installed beside its real path. */
export function kubectlBinaries(versions: string[]): Array<{ version: string; bin: string }> {
  const kubectl = findTool('kubectl');
  if (!kubectl) return [];
  const dir = path.dirname(fs.realpathSync(kubectl));
  const found = versions
    .map(version => ({ version, bin: path.join(dir, `kubectl.${version}`) }))
    .filter(k => fs.existsSync(k.bin));
  return found.length ? found : [{ version: 'default', bin: kubectl }];
}

export const repoRoot = path.resolve(__dirname, '../..');
export const workloadsDir = path.join(repoRoot, 'examples', 'workloads');

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs kubectl (any version's binary) against a kubeconfig; resolves with its exit code and output, never rejects. */
export function runKubectl(bin: string, kubeconfig: string, args: string[], timeoutMs = 20_000): Promise<CommandResult> {
  return new Promise(resolve => {
    execFile(bin, args, { env: { ...process.env, KUBECONFIG: kubeconfig }, timeout: timeoutMs }, (err, stdout, stderr) => {
      let code = 0;
      if (err) code = typeof err.code === 'number' ? err.code : 1;
      resolve({ code, stdout, stderr });
    });
  });
}

export async function waitFor<T>(what: string, fn: () => T | undefined | Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v as T;
    } catch (e) {
      last = e;
    }
    await new Promise(r => setTimeout(r, 200));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

/**
 * Where the e2e tests save screenshots: test-results/ (ignored), or docs/ with KT_UPDATE_DOCS=1 to
 * refresh the README's pictures, so a plain `npm test` leaves the work tree clean.
 */
export const screenshotDir = process.env.KT_UPDATE_DOCS === '1' ? path.join(repoRoot, 'docs') : path.join(repoRoot, 'test-results');

/** A port free on 127.0.0.1 right now, for servers the tests start. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
