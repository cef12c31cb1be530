// Validation of one app's bundle at a commit, with the manifest layer's per-file cache keyed
// by git blob id (re-validating a commit that changed one file re-checks one file).
import { createValidator } from '../manifest/index.js';
import type { BundleValidator } from './app-tracker.js';

export function createBundleValidator(): BundleValidator {
  const validator = createValidator();
  return (files) => validator.validate(files.map((f) => ({ path: f.path, text: f.text, id: f.blobId })));
}
