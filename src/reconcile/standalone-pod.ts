// A bare Pod object from Git: one pod of that name, healed in place, replaced whole when its
// template changes (the old copy goes first: a standalone pod keeps its name). Pure.
import { podView } from '../controllers/pod-status.js';
import type { Pod } from '../model/k8s.js';
import type { ObservedPod } from '../model/observed.js';
import { healPod } from './heal-pod.js';
import { type AppContext, deletePodAction, requestPod } from './pass-context.js';
import { templateHash } from './template-hash.js';

export function reconcileStandalonePod(ctx: AppContext, pod: Pod, existing: ObservedPod[]): void {
  const ns = pod.metadata.namespace;
  const template = {
    metadata: { labels: pod.metadata.labels, annotations: pod.metadata.annotations },
    spec: pod.spec,
  };
  const hash = templateHash(template, ns, ctx.config);
  const owner = { kind: 'Pod' as const, name: pod.metadata.name };
  const live = existing.filter((p) => !p.terminating);
  const current = live.find((p) => p.templateHash === hash);
  for (const p of existing) {
    if (p === current) continue;
    if (!p.terminating && !p.unreachable) {
      ctx.actions.push(deletePodAction(p, `pod/${pod.metadata.name} changed in Git: replacing it`));
    }
    ctx.podViews.push(podView(p, {}, ctx.input.now));
  }
  if (current) {
    const heal = healPod(ctx, current);
    if (heal.replace) ctx.actions.push(deletePodAction(current, heal.replace));
    ctx.podViews.push(podView(current, heal.waiting, ctx.input.now));
    return;
  }
  // A standalone pod keeps its name: wait until every old copy is gone before creating it.
  if (existing.length > 0) return;
  requestPod(
    ctx,
    pod.metadata.name,
    ns,
    owner,
    hash,
    { labels: pod.metadata.labels, annotations: pod.metadata.annotations, spec: pod.spec },
    `pod/${pod.metadata.name} created`,
  );
}
