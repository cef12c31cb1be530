// The one shell command that reads, takes or gives up the lease file on a host, atomically:
// under `flock` on `<lease>.lock` it reads the lease, compares holder and expiry (in the host's
// own clock), writes the new lease to a temp file and renames it over the old one. POSIX sh
// (dash, busybox ash, bash); needs `flock` (util-linux or busybox), `date`, `mv`, `mkdir`.
// Pure: builds the command text and parses its output; running it is host-lease.ts's job.
import type { HostLeaseRecord } from '../controllers/lease-decision.js';

export type LeaseOp = 'read' | 'acquire' | 'release';

/** Exit codes of the script (anything else is an unexpected failure). */
export const LEASE_EXIT = {
  ok: 0,
  /** acquire: a live lease of another holder is in place; stdout shows it. */
  heldByOther: 3,
  io: 70,
  noFlock: 71,
  lockTimeout: 72,
} as const;

export const LEASE_OUTPUT_MARKER = 'skiff-lease now=';

/** Holder ids go into the file and the shell unquoted by JSON, so they are kept plain. */
export const HOLDER_ID_PATTERN = /^[A-Za-z0-9._:@-]{1,128}$/;

/** Keeps a description safe inside a JSON string and a shell word: other characters become `_`. */
export function sanitizeDescription(s: string): string {
  return s.replace(/[^A-Za-z0-9 ._:@/()+,=-]/g, '_').slice(0, 200);
}

/** Single-quotes a word for POSIX sh. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export interface LeaseScriptParams {
  op: LeaseOp;
  leasePath: string;
  holder: string;
  description: string;
  durationMs: number;
  /** How long to wait for another lease operation on the same host to finish (s). */
  lockWaitSeconds: number;
}

// Parsing uses only shell builtins (parameter expansion, read): every fork costs on a busy
// host, and the round runs every 10 s. The file is one line of JSON written by this script;
// a field this parsing cannot find counts as absent, so an unreadable file is overwritten.
const BODY = `
umask 022
d=\${F%/*}
[ -d "$d" ] || mkdir -p "$d" || { echo "cannot create $d" >&2; exit 70; }
command -v flock >/dev/null 2>&1 || { echo "flock not found on this host (install util-linux)" >&2; exit 71; }
exec 9>>"$F.lock" || { echo "cannot open $F.lock" >&2; exit 70; }
flock -w "$W" 9 || { echo "timed out waiting for $F.lock" >&2; exit 72; }
now=$(date +%s%3N 2>/dev/null)
case "$now" in ''|*[!0-9]*) now=$(( $(date +%s) * 1000 ));; esac
cur=
if [ -f "$F" ]; then
  while IFS= read -r line || [ -n "$line" ]; do cur="$cur$line"; done < "$F" || { echo "cannot read $F" >&2; exit 70; }
fi
str() { r=\${cur#*\\"$1\\":\\"}; if [ "$r" = "$cur" ]; then v=; else v=\${r%%\\"*}; fi; }
num() { r=\${cur#*\\"$1\\":}; if [ "$r" = "$cur" ]; then v=; else v=\${r%%[!0-9]*}; fi; }
str holder; holder=$v
num expiresAt; exp=$v
num acquiredAt; acq=$v
live=0
if [ -n "$holder" ] && [ -n "$exp" ] && [ "$exp" -gt "$now" ]; then live=1; fi
echo "${LEASE_OUTPUT_MARKER}$now"
case "$OP" in
read)
  printf '%s\\n' "$cur"; exit 0 ;;
acquire)
  if [ "$live" = 1 ] && [ "$holder" != "$H" ]; then printf '%s\\n' "$cur"; exit 3; fi
  if [ "$live" != 1 ] || [ -z "$acq" ]; then acq=$now; fi
  new="{\\"version\\":1,\\"holder\\":\\"$H\\",\\"description\\":\\"$D\\",\\"acquiredAt\\":$acq,\\"renewedAt\\":$now,\\"expiresAt\\":$((now + DUR))}"
  tmp="$F.tmp.$$"
  if printf '%s\\n' "$new" > "$tmp" && mv -f "$tmp" "$F"; then printf '%s\\n' "$new"; exit 0; fi
  rm -f "$tmp"; echo "cannot write $F" >&2; exit 70 ;;
release)
  if [ "$holder" = "$H" ]; then rm -f "$F" || { echo "cannot remove $F" >&2; exit 70; }; fi
  exit 0 ;;
esac
echo "unknown lease operation $OP" >&2; exit 64
`;

/** The complete command to hand to the host's shell. */
export function renderLeaseCommand(p: LeaseScriptParams): string {
  if (!HOLDER_ID_PATTERN.test(p.holder))
    throw new Error(`bug: lease holder id ${JSON.stringify(p.holder)} is not plain`);
  const vars = [
    `F=${shellQuote(p.leasePath)}`,
    `H=${shellQuote(p.holder)}`,
    `D=${shellQuote(sanitizeDescription(p.description))}`,
    `OP=${shellQuote(p.op)}`,
    `DUR=${Math.max(1, Math.round(p.durationMs))}`,
    `W=${Math.max(1, Math.round(p.lockWaitSeconds))}`,
  ].join('\n');
  return `sh -c ${shellQuote(vars + BODY)}`;
}

export interface ParsedLeaseOutput {
  hostNow: number;
  lease?: HostLeaseRecord;
}

function parseLease(text: string): HostLeaseRecord | undefined {
  if (text === '') return undefined;
  try {
    const v = JSON.parse(text) as Partial<HostLeaseRecord>;
    if (typeof v.holder !== 'string' || typeof v.expiresAt !== 'number') return undefined;
    return {
      holder: v.holder,
      description: typeof v.description === 'string' ? v.description : '',
      acquiredAt: typeof v.acquiredAt === 'number' ? v.acquiredAt : v.expiresAt,
      renewedAt: typeof v.renewedAt === 'number' ? v.renewedAt : v.expiresAt,
      expiresAt: v.expiresAt,
    };
  } catch {
    // Unreadable content counts as no lease: the script, seeing no holder in it, overwrites it.
    return undefined;
  }
}

/** Reads the script's stdout; undefined if it holds no marker line (the script did not run). */
export function parseLeaseOutput(stdout: string): ParsedLeaseOutput | undefined {
  const lines = stdout.split('\n');
  // Login shells may print banners first: the marker line starts the real output.
  const at = lines.findIndex((l) => l.startsWith(LEASE_OUTPUT_MARKER));
  if (at < 0) return undefined;
  const hostNow = Number((lines[at] as string).slice(LEASE_OUTPUT_MARKER.length));
  if (!Number.isFinite(hostNow)) return undefined;
  const lease = parseLease(
    lines
      .slice(at + 1)
      .join('\n')
      .trim(),
  );
  return lease === undefined ? { hostNow } : { hostNow, lease };
}
