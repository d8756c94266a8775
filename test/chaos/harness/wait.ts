// Waiting for a state outside a test body (hooks cannot use expect.poll): asks until it holds,
// failing with what was asked when it never does.
export async function until(what: string, holds: () => Promise<boolean>, timeoutMs = 60_000, intervalMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await holds()) return;
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${what} (after ${timeoutMs / 1000} s)`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
