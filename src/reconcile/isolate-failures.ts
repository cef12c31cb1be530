// One app's commit must never take the pass down for every app. When a pass throws (a bug some
// manifest reaches, a hostile input the checks missed), the pass is retried with each app
// alone; the apps whose pass throws on its own are set aside (frozen: their pods left alone,
// as for an app without an admitted commit) and the pass runs for the rest. Pure: the pass is a
// parameter; it reads no clock. The shell counts an app's consecutive failures and quarantines
// its commit (daemon/rollout-guard.ts), as a failed rollout's.
import type { AppDesired, PassInput, PassResult } from './pass-types.js';

export interface FailedApp {
  app: string;
  commit: string;
  error: string;
}

export interface IsolatedPass {
  result: PassResult;
  /** Apps set aside this pass because their pass throws on its own. */
  failed: FailedApp[];
}

/** Runs the pass; when it throws, finds the apps that make it throw and runs it without them.
 *  Rethrows when no single app is to blame (then the failure is not one commit's). */
export function passIsolatingFailures(
  input: PassInput,
  pass: (input: PassInput) => PassResult,
): IsolatedPass {
  try {
    return { result: pass(input), failed: [] };
  } catch (err) {
    const failed = input.apps.flatMap((app) => failureOf(app, input, pass));
    if (failed.length === 0) throw err;
    const culprits = new Set(failed.map((f) => f.app));
    const result = pass({
      ...input,
      apps: input.apps.filter((a) => !culprits.has(a.name)),
      frozenApps: [...input.frozenApps, ...culprits],
    });
    return { result, failed };
  }
}

function failureOf(app: AppDesired, input: PassInput, pass: (input: PassInput) => PassResult): FailedApp[] {
  const others = input.apps.filter((a) => a !== app).map((a) => a.name);
  try {
    pass({ ...input, apps: [app], frozenApps: [...input.frozenApps, ...others] });
    return [];
  } catch (err) {
    return [{ app: app.name, commit: app.commit, error: err instanceof Error ? err.message : String(err) }];
  }
}
