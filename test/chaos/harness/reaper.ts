// Processes the suite started die with it, also when a test or the worker ends abruptly: the
// browsers run in process groups of their own and would otherwise outlive the run.
const living = new Set<number>();
let hooked = false;

/** Kills `pid` (a process group when `group`) when this process exits; returns the forget call. */
export function reapOnExit(pid: number, group: boolean): () => void {
  const target = group ? -pid : pid;
  living.add(target);
  if (!hooked) {
    hooked = true;
    process.once('exit', () => {
      for (const id of living) {
        try {
          process.kill(id, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    });
  }
  return () => living.delete(target);
}
