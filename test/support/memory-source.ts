// A Git branch in memory for unit tests of the daemon's wiring: each push is a commit holding
// one manifest file, read back as the GitSource would.
import type { ManifestFile, ManifestSource } from '../../src/git/git-source.js';

/** A branch in memory: each push is a commit with one manifest file. */
export class MemorySource implements ManifestSource {
  private commits: { commit: string; files: ManifestFile[] }[] = [];
  push(text: string): void {
    const commit = `c${this.commits.length + 1}`.padEnd(40, '0');
    this.commits.push({ commit, files: [{ path: 'app.yaml', repoPath: 'app.yaml', text, blobId: commit }] });
  }
  async resolveHead() {
    const n = this.commits.length;
    return {
      commit: this.commits[n - 1]!.commit,
      previous: this.commits[n - 2]?.commit ?? null,
      change: 'new',
    };
  }
  async readManifestFiles(commit: string) {
    const c = this.commits.find((x) => x.commit === commit)!;
    return { commit, files: c.files, diagnostics: [], appPathFound: true };
  }
}
