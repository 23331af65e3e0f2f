/**
 * Waits until `ok()` holds, polling every `pollMs`: a bound on a wait, never an assertion on time — the limit is
 * generous (a test must pass at a quarter of normal speed) and only turns a hang into a failure that names what
 * it waited for.
 */
export async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 60_000, pollMs = 20): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
