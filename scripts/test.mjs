// `npm test`: every Jest project of the workspace (unit, sandbox integration, real kubectl, real
// Chromium) in one run, then one closing line `N passed, N failed[, N skipped]` counted from
// Jest's JSON report. Extra arguments go to Jest (e.g. `npm test -- plugins/kube-troubleshoot-common`).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const reportDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-troubleshoot-jest-'));
const report = path.join(reportDir, 'results.json');
const underCi = process.env.CI === 'true' || process.env.CI === '1';

const args = ['repo', 'test', '--watchAll=false', '--json', `--outputFile=${report}`, ...process.argv.slice(2)];
const child = spawn(path.join(root, 'node_modules', '.bin', 'backstage-cli'), args, { cwd: root, stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));

child.on('exit', code => {
  let results;
  try {
    results = JSON.parse(fs.readFileSync(report, 'utf8'));
  } catch {
    process.stdout.write(`Jest wrote no report (exit code ${code})\n0 passed, 1 failed\n`);
    process.exit(1);
  } finally {
    fs.rmSync(reportDir, { recursive: true, force: true });
  }
  const passed = results.numPassedTests;
  // A suite that fails to load has no failed test of its own; count it, or it would vanish.
  const brokenSuites = results.testResults.filter(s => s.status === 'failed' && s.assertionResults.length === 0).length;
  const failed = results.numFailedTests + brokenSuites;
  const skipped = results.numPendingTests + results.numTodoTests;
  const line = `${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`;
  if (underCi && skipped) process.stdout.write(`${skipped} test(s) skipped under CI: every test must run here\n`);
  process.stdout.write(`${line}\n`);
  const ok = failed === 0 && passed > 0 && (!underCi || skipped === 0) && code === 0;
  process.exit(ok ? 0 : 1);
});
