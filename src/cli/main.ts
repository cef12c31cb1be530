// Entry point of `skiff` from a checkout (through tsx) and of dist/cli/main.js. An installed
// package runs the bundle instead (bundle-entry.ts, built by scripts/bundle-cli.ts).
import { main } from './program.js';

export { EXIT } from './failure-exit.js';

const code = await main(process.argv.slice(2));
process.exit(code);
