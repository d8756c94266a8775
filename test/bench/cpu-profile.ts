// `--profile`: a CPU profile of one page while some work runs, as self time by function.
import type { CDPSession } from 'playwright';

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }[];
  samples?: number[];
  timeDeltas?: number[];
}

/** Self time by function (name and line), the heaviest first. */
function selfTimes(profile: CpuProfile, top = 25): string[] {
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  (profile.samples ?? []).forEach((id, i) => {
    const frame = byNode.get(id)!.callFrame;
    const file = frame.url.split('/').pop() ?? '';
    const key = `${frame.functionName || '(anonymous)'} ${file ? `${file}:${frame.lineNumber + 1}` : ''}`.trim();
    self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas?.[i] ?? 0) / 1000);
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const busy = [...self.entries()].filter(([key]) => key !== '(idle)').reduce((sum, [, ms]) => sum + ms, 0);
  return [
    `profile: ${total.toFixed(0)} ms sampled, ${busy.toFixed(0)} ms not idle`,
    ...[...self.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([key, ms]) => `  ${ms.toFixed(1).padStart(8)} ms  ${((ms / total) * 100).toFixed(1).padStart(5)} %  ${key}`),
  ];
}

/** Samples the page of `cdp` every 100 µs while `work` runs, prints the self times, detaches. */
export async function profiled<T>(cdp: CDPSession, work: () => Promise<T>): Promise<T> {
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
  await cdp.send('Profiler.start');
  try {
    return await work();
  } finally {
    const { profile } = (await cdp.send('Profiler.stop')) as { profile: CpuProfile };
    selfTimes(profile).forEach((line) => console.log(`  ${line}`));
    await cdp.detach();
  }
}
