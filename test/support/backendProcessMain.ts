/**
 * A bench backend in a process of its own (as a deployed backend runs: no test runner, no clients,
 * no sandbox in its heap). Started by backendProcess.ts with `node --expose-gc --import tsx`; its
 * options come on stdin, it prints its port, and answers memory questions over IPC.
 * It stops when its parent disconnects.
 */
import fs from 'node:fs';
import { AddressInfo } from 'node:net';
import v8 from 'node:v8';
import { startBenchBackend } from './benchBackend';
import type { BackendProcessOptions, BackendProcessReply, MemoryQuestion } from './backendProcess';

async function main() {
  const options = JSON.parse(fs.readFileSync(0, 'utf8')) as BackendProcessOptions;
  const backend = await startBenchBackend(options.sandbox, options.entities, options.kubeTroubleshoot, options.token);
  const stop = async () => {
    await backend.stop();
    process.exit(0);
  };
  process.on('message', (m: MemoryQuestion) => {
    // Last-resort: the full, compacting GC a heap snapshot does, which also gives back the heap's
    // headroom (young generation grown by a burst of work), so what is left is what is held.
    if (m.gc) (global.gc as unknown as (o: object) => void)({ type: 'major', execution: 'sync', flavor: 'last-resort' });
    if (m.snapshot) v8.writeHeapSnapshot(m.snapshot);
    const reply: BackendProcessReply = { id: m.id, memory: process.memoryUsage() };
    process.send!(reply);
  });
  process.on('disconnect', () => void stop());
  process.stdout.write(`${JSON.stringify({ port: (backend.server.address() as AddressInfo).port })}\n`);
}

main().catch(e => {
  process.stderr.write(`the bench backend failed to start: ${(e as Error).stack}\n`);
  process.exit(1);
});
