/** Polls `condition` until it holds (then resolves) or `ms` pass (then rejects, saying what was awaited). */
export async function until(what: string, condition: () => boolean | Promise<boolean>, ms = 15_000, everyMs = 20) {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise(r => setTimeout(r, everyMs));
  }
}
