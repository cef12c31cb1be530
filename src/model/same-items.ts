// Two lists holding the very same items in the same order: how memos decide that what they were
// computed from has not changed (the objects they read are immutable, so identity suffices).
export function sameItems(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
