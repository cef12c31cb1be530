// Small formatting helpers of the dashboard (values in, strings out).
export const short = (sha?: string): string => (sha ? sha.slice(0, 7) : '<none>');

export function ago(at: number | undefined, now: number): string {
  if (at === undefined) return 'never';
  const s = Math.max(0, Math.round((now - at) / 1000));
  if (s < 120) return `${s}s ago`;
  if (s < 7200) return `${Math.round(s / 60)}m ago`;
  if (s < 172_800) return `${Math.round(s / 3600)}h ago`;
  return `${Math.round(s / 86_400)}d ago`;
}

export const cpu = (milli: number): string => (milli >= 1000 ? `${(milli / 1000).toFixed(1)}` : `${milli}m`);

export function bytes(n: number): string {
  const units = ['B', 'Ki', 'Mi', 'Gi', 'Ti'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i += 1;
  }
  return `${n.toFixed(i === 0 ? 0 : 1)}${units[i]}`;
}

/** A CSS class from a status word: ok, warn, bad, idle. */
export function tone(status: string): 'ok' | 'warn' | 'bad' | 'idle' {
  if (/^(Running|Healthy|Synced|Complete|Ready|True|Normal|Succeeded)$/.test(status)) return 'ok';
  if (/^(Pending|Progressing|ContainerCreating|Terminating|OutOfSync|PodInitializing|Unknown)$/.test(status))
    return 'warn';
  if (/^(Suspended|Missing|Paused|Completed)$/.test(status)) return 'idle';
  return 'bad';
}
