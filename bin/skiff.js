#!/usr/bin/env node
// Entry point for `npx skiff`: runs the TypeScript CLI through tsx so a checkout
// works right after `npm ci`, with no build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
