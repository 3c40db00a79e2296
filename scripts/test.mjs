// `npm test`: every Jest project of the workspace (unit, sandbox integration, real kubectl, real
// Chromium), then the replica test (test/replicas: two backends on PostgreSQL behind nginx), the
// soak's short form (test/soak: hundreds of streams on one backend for 2 minutes) and the adopter test (test/adopter: fresh create-app apps built by the README), each on its own, because
// they start whole servers and would starve the timing-sensitive suites of the 2 cores; then one
// closing line `N passed, N failed[, N skipped]` counted from every run's JSON report.
// Extra arguments go to Jest in every run (e.g. `npm test -- plugins/kube-troubleshoot-common`).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const reportDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-troubleshoot-jest-'));
const underCi = process.env.CI === 'true' || process.env.CI === '1';
const extra = process.argv.slice(2);
const bin = name => path.join(root, 'node_modules', '.bin', name);

const runs = [
  { name: 'workspace', cmd: bin('backstage-cli'), args: ['repo', 'test', '--watchAll=false'] },
  { name: 'replicas', cmd: bin('jest'), args: ['--config', path.join(root, 'test', 'jest.replicas.config.js'), '--runInBand', '--passWithNoTests'] },
  // The soak's short form (2 minutes; `npm run soak` holds it for 10).
  { name: 'soak', cmd: bin('jest'), args: ['--config', path.join(root, 'test', 'jest.soak.config.js'), '--runInBand', '--passWithNoTests'] },
  { name: 'adopter', cmd: bin('jest'), args: ['--config', path.join(root, 'test', 'jest.adopter.config.js'), '--runInBand', '--passWithNoTests'] },
];

let current;
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => current?.kill(sig));

function run({ name, cmd, args }) {
  const report = path.join(reportDir, `${name}.json`);
  return new Promise(resolve => {
    current = spawn(cmd, [...args, '--json', `--outputFile=${report}`, ...extra], { cwd: root, stdio: 'inherit' });
    current.on('exit', code => {
      let results;
      try {
        results = JSON.parse(fs.readFileSync(report, 'utf8'));
      } catch {
        process.stdout.write(`Jest (${name}) wrote no report (exit code ${code})\n`);
        resolve({ passed: 0, failed: 1, skipped: 0, code: code ?? 1 });
        return;
      }
      // A suite that fails to load has no failed test of its own; count it, or it would vanish.
      const brokenSuites = results.testResults.filter(s => s.status === 'failed' && s.assertionResults.length === 0).length;
      resolve({
        passed: results.numPassedTests,
        failed: results.numFailedTests + brokenSuites,
        skipped: results.numPendingTests + results.numTodoTests,
        code: code ?? 1,
      });
    });
  });
}

const total = { passed: 0, failed: 0, skipped: 0, code: 0 };
for (const r of runs) {
  const c = await run(r);
  for (const k of ['passed', 'failed', 'skipped']) total[k] += c[k];
  total.code ||= c.code;
}
fs.rmSync(reportDir, { recursive: true, force: true });
const { passed, failed, skipped } = total;
if (underCi && skipped) process.stdout.write(`${skipped} test(s) skipped under CI: every test must run here\n`);
process.stdout.write(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
process.exit(failed === 0 && passed > 0 && (!underCi || skipped === 0) && total.code === 0 ? 0 : 1);
