// skiff's version: package.json's, read beside the code (two folders up from src/cli and from
// dist/cli alike), so a release bumps one place. Shell.
import { readFileSync } from 'node:fs';

export const SKIFF_VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
