import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findSandboxProcesses } from '@internal/sandbox-cluster';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { freePort, repoRoot, waitFor } from '../support/tools';

/**
 * `npm start` as a developer runs it (scripts/start.mjs on free ports): one URL line, the portal and
 * the sandbox answer, and Ctrl-C leaves no process and no temporary folder behind.
 */
jest.setTimeout(420_000);

/** Live processes whose command line mentions `text`. */
function processesMentioning(text: string): string[] {
  const found: string[] = [];
  for (const pid of fs.readdirSync('/proc').filter(e => /^\d+$/.test(e))) {
    try {
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmd.includes(text)) found.push(`${pid}: ${cmd}`);
    } catch {
      // exited meanwhile
    }
  }
  return found;
}

describe('npm start', () => {
  let child: ChildProcess | undefined;
  let stateDir: string;
  let output = '';

  afterAll(async () => {
    // On a failed test npm start is still up: stop it the way Ctrl-C does, so it takes its children along.
    if (child?.pid && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise(resolve => child!.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise(resolve => setTimeout(resolve, 15_000))]);
    }
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  it('serves the portal with the sandbox, and Ctrl-C stops everything', async () => {
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-troubleshoot-start-'));
    const [appPort, backendPort, sandboxPort, productionPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const env: NodeJS.ProcessEnv = { ...process.env, KT_APP_PORT: String(appPort), KT_BACKEND_PORT: String(backendPort), KT_SANDBOX_PORT: String(sandboxPort), KT_SANDBOX_PRODUCTION_PORT: String(productionPort), KT_STATE_DIR: stateDir };
    delete env.NODE_ENV; // Jest's NODE_ENV=test is not the portal's
    child = spawn(process.execPath, [path.join(repoRoot, 'scripts', 'start.mjs')], { cwd: repoRoot, env });
    child.stdout!.on('data', d => (output += d));
    child.stderr!.on('data', d => (output += d));
    const exited = new Promise<number | null>(resolve => child!.once('exit', code => resolve(code)));

    await waitFor('the URL line', () => (/Kube Troubleshoot portal: (\S+)/.exec(output) ? true : undefined), 360_000).catch(e => {
      throw new Error(`${e.message}\noutput:\n${output}`);
    });
    expect(output.trim().split('\n')).toHaveLength(1);
    expect(output).toContain(`Kube Troubleshoot portal: http://localhost:${appPort} `);

    const page = await fetch(`http://localhost:${appPort}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="root">');
    const ready = await fetch(`http://localhost:${backendPort}/.backstage/health/v1/readiness`);
    expect(ready.status).toBe(200);
    const kubeconfig = JSON.parse(fs.readFileSync(path.join(stateDir, 'kubeconfig'), 'utf8'));
    expect(kubeconfig.clusters[0].cluster.server).toBe(`https://127.0.0.1:${sandboxPort}`);

    // The plugin is wired to the sandbox: alice (dev sign-in) sees payments-api's pod and containers.
    // (the catalog may not have read the users yet right after start)
    const token = await waitFor('alice to sign in', async () => {
      const signIn = await fetch(`http://localhost:${backendPort}/api/auth/dev/refresh`, { headers: { 'x-kube-troubleshoot-dev-user': 'alice' } });
      return signIn.ok ? ((await signIn.json()) as { backstageIdentity: { token: string } }).backstageIdentity.token : undefined;
    }, 60_000);
    // On `sandbox`: payments-api's Deployment pod, plus the reports pod that cannot pull its image;
    // on `production`: payments-api's pod again.
    type Pods = Array<{ cluster: string; containers: Array<{ name: string }> }>;
    const containersOn = (pods: Pods, cluster: string) => pods.filter(p => p.cluster === cluster).flatMap(p => p.containers.map(c => c.name)).sort();
    const pods = await waitFor('payments-api pods of both clusters through the plugin', async () => {
      const r = await fetch(`http://localhost:${backendPort}/api/kube-troubleshoot/entities/component/default/payments-api/pods`, { headers: { Authorization: `Bearer ${token}` } });
      const body = (await r.json()) as { pods?: Pods };
      return r.ok && body.pods && containersOn(body.pods, 'sandbox').length && containersOn(body.pods, 'production').length ? body.pods : undefined;
    }, 60_000);
    expect(containersOn(pods, 'sandbox')).toEqual(['api', 'ledger', 'metrics-agent', 'reports']);
    expect(containersOn(pods, 'production')).toEqual(['api', 'ledger', 'metrics-agent']);
    const options = await fetch(`http://localhost:${backendPort}/api/kube-troubleshoot/entities/component/default/payments-api/debug/options`, { headers: { Authorization: `Bearer ${token}` } });
    expect(((await options.json()) as { clusters: Record<string, { production: boolean }> }).clusters).toMatchObject({ sandbox: { production: false }, production: { production: true } });

    // The portal's MCP server: the actions with each user's own credentials and the example policy.
    const signIn = async (user: string) => {
      const r = await fetch(`http://localhost:${backendPort}/api/auth/dev/refresh`, { headers: { 'x-kube-troubleshoot-dev-user': user } });
      return ((await r.json()) as { backstageIdentity: { token: string } }).backstageIdentity.token;
    };
    const mcp = async (user: string) => {
      const client = new Client({ name: 'start-test', version: '1.0.0' });
      const url = new URL(`http://localhost:${backendPort}/api/mcp-actions/v1`);
      await client.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers: { Authorization: `Bearer ${await signIn(user)}` } } }));
      return client;
    };
    const logsOf = { name: 'kube-troubleshoot.get-logs', arguments: { entityRef: 'component:default/payments-api', cluster: 'sandbox', container: 'api', limit: 5 } };
    const aliceMcp = await mcp('alice');
    const allowed = (await aliceMcp.callTool(logsOf)) as { isError?: boolean; structuredContent?: { lines: unknown[] } };
    await aliceMcp.close();
    expect(allowed.isError).toBeFalsy();
    expect(allowed.structuredContent!.lines.length).toBeGreaterThan(0);
    const bobMcp = await mcp('bob');
    const refused = (await bobMcp.callTool(logsOf)) as { isError?: boolean; content: Array<{ text: string }> };
    await bobMcp.close();
    expect(refused.content[0].text).toMatch(/^NotAllowedError: you do not have kube-troubleshoot\.logs\.read on component:default\/payments-api/);
    const anonymous = await fetch(`http://localhost:${backendPort}/api/mcp-actions/v1`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
    });
    expect(anonymous.status).toBe(401);

    // The portal holds exactly examples/rbac.yaml's rules, never the sandbox's admin token.
    const generated = fs.readFileSync(path.join(stateDir, 'app-config.generated.yaml'), 'utf8');
    const userToken = (name: string) => kubeconfig.users.find((u: { name: string }) => u.name === name).user.token;
    expect(generated).toContain(`serviceAccountToken: ${userToken('sandbox-kube-troubleshoot')}`);
    expect(generated).not.toContain(userToken('sandbox'));

    const sandboxLog = fs.readFileSync(path.join(stateDir, 'logs', 'sandbox.log'), 'utf8');
    const [, sandboxId, dataDir] = /id (\w+), data in (\S+)/.exec(sandboxLog)!;
    const productionLog = fs.readFileSync(path.join(stateDir, 'logs', 'sandbox-production.log'), 'utf8');
    const [, productionId, productionDataDir] = /id (\w+), data in (\S+)/.exec(productionLog)!;
    await waitFor('the demo containers', () => (findSandboxProcesses(sandboxId).length >= 3 && findSandboxProcesses(productionId).length >= 2 ? true : undefined));
    expect(processesMentioning(stateDir).length).toBeGreaterThan(0);

    child.kill('SIGINT');
    expect(await exited).toBe(0);
    await waitFor('every process to end', () => (processesMentioning(stateDir).length === 0 && findSandboxProcesses(sandboxId).length === 0 && findSandboxProcesses(productionId).length === 0 ? true : undefined), 30_000).catch(e => {
      throw new Error(`${e.message}: ${processesMentioning(stateDir).join('\n')} sandbox: ${findSandboxProcesses(sandboxId)}`);
    });
    expect(fs.existsSync(productionDataDir)).toBe(false);
    if (fs.existsSync(dataDir)) {
      throw new Error(`the sandbox left ${dataDir} behind; its log ends with:\n${fs.readFileSync(path.join(stateDir, 'logs', 'sandbox.log'), 'utf8').slice(-3000)}`);
    }
    expect(fs.existsSync(path.join(stateDir, 'kubeconfig'))).toBe(false);
    await expect(fetch(`http://localhost:${appPort}/`)).rejects.toThrow();
  });
});
