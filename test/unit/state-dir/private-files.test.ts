// The state directory is private (0700, owned by this user, writable by no one else) and files
// in it are written atomically without following a planted link.
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  createFileExclusive,
  ensurePrivateDir,
  StateDirError,
  writeFileAtomic,
} from '../../../src/state-dir/private-files.js';

const temp = () => mkdtempSync(join(tmpdir(), 'skiff-private-'));
const modeOf = (p: string) => statSync(p).mode & 0o777;

describe('ensurePrivateDir', () => {
  it('creates the directory and its missing parents 0700', () => {
    const dir = join(temp(), 'a', 'state');
    ensurePrivateDir(dir);
    expect(modeOf(dir)).toBe(0o700);
    expect(modeOf(join(dir, '..'))).toBe(0o700);
  });

  it('makes a state directory readable by others private again', () => {
    const dir = temp();
    chmodSync(dir, 0o755);
    ensurePrivateDir(dir);
    expect(modeOf(dir)).toBe(0o700);
  });

  it.each([0o777, 0o770, 0o702])(
    'refuses a state directory others can write (mode %o), hinting chmod 700',
    (mode) => {
      const dir = temp();
      chmodSync(dir, mode);
      expect(() => ensurePrivateDir(dir)).toThrow(StateDirError);
      expect(() => ensurePrivateDir(dir)).toThrow(/writable by others/);
      try {
        ensurePrivateDir(dir);
      } catch (err) {
        expect((err as StateDirError).hint).toBe(`chmod 700 ${dir}`);
      }
    },
  );

  it('refuses a file in place of the directory', () => {
    const file = join(temp(), 'state');
    writeFileSync(file, '');
    expect(() => ensurePrivateDir(file)).toThrow(/is not a directory/);
  });

  it.runIf(process.getuid?.() === 0)('refuses a state directory another user owns', () => {
    const dir = temp();
    chownSync(dir, 4242, 4242);
    expect(() => ensurePrivateDir(dir)).toThrow(/owned by uid 4242/);
  });
});

describe('writeFileAtomic', () => {
  it('writes the content with mode 0600 and leaves no temp file', () => {
    const dir = temp();
    writeFileAtomic(join(dir, 'f'), 'one');
    writeFileAtomic(join(dir, 'f'), 'two');
    expect(readFileSync(join(dir, 'f'), 'utf8')).toBe('two');
    expect(modeOf(join(dir, 'f'))).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['f']);
  });

  it('replaces a planted link instead of writing through it', () => {
    const dir = temp();
    const victim = join(temp(), 'victim');
    writeFileSync(victim, 'precious');
    symlinkSync(victim, join(dir, 'daemon.lock'));
    writeFileAtomic(join(dir, 'daemon.lock'), 'ours');
    expect(readFileSync(victim, 'utf8')).toBe('precious');
    expect(lstatSync(join(dir, 'daemon.lock')).isSymbolicLink()).toBe(false);
  });
});

describe('createFileExclusive', () => {
  it('creates once, then reports the name taken', () => {
    const dir = temp();
    expect(createFileExclusive(join(dir, 'id'), 'a')).toBe(true);
    expect(createFileExclusive(join(dir, 'id'), 'b')).toBe(false);
    expect(readFileSync(join(dir, 'id'), 'utf8')).toBe('a');
  });

  it('never follows a dangling link to create its target', () => {
    const dir = temp();
    const target = join(temp(), 'created-elsewhere');
    symlinkSync(target, join(dir, 'id'));
    expect(createFileExclusive(join(dir, 'id'), 'x')).toBe(false);
    expect(existsSync(target)).toBe(false);
  });
});
