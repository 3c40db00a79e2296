import { spawn } from 'node:child_process';
import { findProcessesWithAnyEnv, findProcessesWithEnv, killProcessesWithEnv } from './processes';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('processes marked by their environment', () => {
  it('finds them, and kills the ones marked in the same moment in one sweep', async () => {
    const marker = (i: number) => `KT_PROCESSES_TEST=${process.pid}-${i}`;
    const children = [0, 1, 2].map(i => spawn('sleep', ['60'], { env: { ...process.env, KT_PROCESSES_TEST: `${process.pid}-${i}` }, stdio: 'ignore', detached: true }));
    const pids = children.map(c => c.pid!);
    const exited = children.map(c => new Promise(resolve => c.once('exit', resolve)));
    expect(findProcessesWithEnv(marker(0))).toEqual([pids[0]]);
    expect(findProcessesWithAnyEnv(new Set([marker(0), marker(1)])).sort()).toEqual([pids[0], pids[1]].sort());
    const killed: number[] = [];
    const kill = (pid: number) => {
      killed.push(pid);
      process.kill(pid, 'SIGKILL');
    };
    killProcessesWithEnv(marker(0), kill);
    killProcessesWithEnv(marker(1), kill);
    // nothing before the sweep, then both, and the unmarked one left alone
    expect(killed).toEqual([]);
    await Promise.all(exited.slice(0, 2));
    expect(new Set(killed)).toEqual(new Set([pids[0], pids[1]]));
    expect(alive(pids[2])).toBe(true);
    children[2].kill('SIGKILL');
    await exited[2];
  });
});
