// POSIX single quoting for scripts run on the hosts. Pure.
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
