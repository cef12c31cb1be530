// The container, volume and scheduling blocks `kubectl describe` prints for a pod and for a
// Deployment's pod template, ported from kubectl's describe.go (describeContainers,
// describeContainerState, DescribeProbe, describeContainerEnvVars/EnvFrom, describeVolumes,
// printTolerationsMultiline). Only references are shown: an env var read from a Secret is
// `<set to the key 'k' in secret 's'>`, never its value. Pure.
import type { Container, PodSpec, Probe, Toleration, Volume } from '../../model/k8s.js';
import type { ContainerView } from '../../model/views.js';
import { formatRfc1123Z, since } from './age.js';
import { type DescribeWriter, writeLabelsMultiline } from './table.js';

/** kubectl's DescribeProbe: `http-get http://:8080/healthz delay=0s timeout=1s period=10s #success=1 #failure=3`. */
export function describeProbe(p: Probe): string {
  const attrs =
    `delay=${p.initialDelaySeconds}s timeout=${p.timeoutSeconds}s period=${p.periodSeconds}s ` +
    `#success=${p.successThreshold} #failure=${p.failureThreshold}`;
  if (p.exec) return `exec [${p.exec.command.join(' ')}] ${attrs}`;
  if (p.httpGet) {
    const g = p.httpGet;
    const host = g.host ?? '';
    const hostPort = host.includes(':') ? `[${host}]:${g.port}` : `${host}:${g.port}`;
    return `http-get ${g.scheme.toLowerCase()}://${hostPort}${g.path} ${attrs}`;
  }
  if (p.tcpSocket) return `tcp-socket ${p.tcpSocket.host ?? ''}:${p.tcpSocket.port} ${attrs}`;
  if (p.grpc) return `grpc <pod>:${p.grpc.port} ${p.grpc.service} ${attrs}`;
  return `unknown ${attrs}`;
}

function writeState(w: DescribeWriter, v: ContainerView, now: number): void {
  if (v.state === 'running') {
    w.line(2, 'State:', 'Running');
    if (v.startedAt !== undefined) w.line(3, 'Started:', formatRfc1123Z(v.startedAt));
  } else if (v.state === 'terminated') {
    w.line(2, 'State:', 'Terminated');
    if (v.reason) w.line(3, 'Reason:', v.reason);
    w.line(3, 'Exit Code:', String(v.exitCode ?? 0));
    if (v.startedAt !== undefined) w.line(3, 'Started:', formatRfc1123Z(v.startedAt));
  } else {
    w.line(2, 'State:', 'Waiting');
    if (v.reason) w.line(3, 'Reason:', v.reason);
    // A container waiting to be restarted keeps its last exit code: kubectl's Last State.
    if (v.restartCount > 0 && v.exitCode !== undefined) {
      w.line(2, 'Last State:', 'Terminated');
      w.line(3, 'Reason:', v.exitCode === 0 ? 'Completed' : 'Error');
      w.line(3, 'Exit Code:', String(v.exitCode));
    }
  }
  w.line(2, 'Ready:', v.ready ? 'True' : 'False');
  w.line(2, 'Restart Count:', String(v.restartCount));
  const f = v.lastProbeFailure;
  if (f) w.line(2, 'Last Probe Failure:', `${f.probe} ${since(f.at, now)} ago: ${f.message}`);
}

function portList(
  ports: Container['ports'],
  pick: (p: Container['ports'][number]) => number | undefined,
): string {
  return ports
    .map((p) => (pick(p) === undefined ? undefined : `${pick(p)}/${p.protocol}`))
    .filter((s): s is string => s !== undefined)
    .join(', ');
}

function writeResources(w: DescribeWriter, title: string, r: Record<string, string>): void {
  const names = Object.keys(r).sort();
  if (names.length === 0) return;
  w.line(2, `${title}:`);
  for (const n of names) w.line(3, `${n}:`, r[n]!);
}

function writeEnv(w: DescribeWriter, c: Container): void {
  if (c.envFrom.length > 0) {
    w.write(2, 'Environment Variables from:\n');
    for (const e of c.envFrom) {
      const [name, from, optional] = e.configMapRef
        ? [e.configMapRef.name, 'ConfigMap', e.configMapRef.optional === true]
        : [e.secretRef?.name ?? '', 'Secret', e.secretRef?.optional === true];
      const kind = e.prefix ? `${from} with prefix '${e.prefix}'` : from;
      w.line(3, name, kind, `Optional: ${optional}`);
    }
  }
  if (c.env.length === 0) {
    w.line(2, 'Environment:', '<none>');
  } else {
    w.write(2, 'Environment:\n');
  }
  for (const e of c.env) {
    const from = e.valueFrom;
    if (!from) {
      (e.value ?? '').split('\n').forEach((s, i) => {
        w.line(3, i === 0 ? `${e.name}:` : '', s);
      });
    } else if (from.secretKeyRef) {
      const r = from.secretKeyRef;
      w.line(
        3,
        `${e.name}:`,
        `<set to the key '${r.key}' in secret '${r.name}'>`,
        `Optional: ${r.optional === true}`,
      );
    } else if (from.configMapKeyRef) {
      const r = from.configMapKeyRef;
      w.line(
        3,
        `${e.name}:`,
        `<set to the key '${r.key}' of config map '${r.name}'>`,
        `Optional: ${r.optional === true}`,
      );
    } else if (from.fieldRef) {
      w.line(3, `${e.name}:`, ` (v1:${from.fieldRef.fieldPath})`);
    }
  }
}

function writeMounts(w: DescribeWriter, c: Container): void {
  if (c.volumeMounts.length === 0) {
    w.line(2, 'Mounts:', '<none>');
    return;
  }
  w.write(2, 'Mounts:\n');
  const mounts = [...c.volumeMounts].sort((a, b) =>
    a.mountPath < b.mountPath ? -1 : a.mountPath > b.mountPath ? 1 : 0,
  );
  for (const m of mounts) {
    const flags = [m.readOnly ? 'ro' : 'rw', ...(m.subPath ? [`path=${JSON.stringify(m.subPath)}`] : [])];
    w.line(3, `${m.mountPath} from ${m.name} (${flags.join(',')})`);
  }
}

/** kubectl's describeContainers. `indent` is "" for a pod, "  " inside a Pod Template. With
 *  no spec (a pod whose spec skiff could not read back), the observed containers alone. */
export function writeContainers(
  w: DescribeWriter,
  indent: '' | '  ',
  specs: readonly Container[] | undefined,
  views: readonly ContainerView[],
  now: number,
  title: 'Containers' | 'Init Containers' = 'Containers',
): void {
  w.line(0, `${indent}${title}:`);
  const names = specs ? specs.map((c) => c.name) : views.map((v) => v.name);
  for (const name of names) {
    const spec = specs?.find((c) => c.name === name);
    const view = views.find((v) => v.name === name);
    w.line(1, `${indent === '' ? '' : ' '}${name}:`);
    w.line(2, 'Image:', spec?.image ?? view?.image ?? '<none>');
    if (spec) {
      const ports = portList(spec.ports, (p) => p.containerPort);
      const hostPorts = portList(spec.ports, (p) => p.hostPort);
      w.line(2, ports.includes(',') ? 'Ports:' : 'Port:', ports || '<none>');
      w.line(2, hostPorts.includes(',') ? 'Host Ports:' : 'Host Port:', hostPorts || '<none>');
      for (const [title, list] of [
        ['Command', spec.command],
        ['Args', spec.args],
      ] as const) {
        if (!list || list.length === 0) continue;
        w.line(2, `${title}:`);
        for (const arg of list) for (const s of arg.split('\n')) w.line(3, s);
      }
    }
    if (view) writeState(w, view, now);
    if (spec) {
      writeResources(w, 'Limits', spec.resources.limits);
      writeResources(w, 'Requests', spec.resources.requests);
      if (spec.livenessProbe) w.line(2, 'Liveness:', describeProbe(spec.livenessProbe));
      if (spec.readinessProbe) w.line(2, 'Readiness:', describeProbe(spec.readinessProbe));
      if (spec.startupProbe) w.line(2, 'Startup:', describeProbe(spec.startupProbe));
      writeEnv(w, spec);
      writeMounts(w, spec);
    }
  }
}

function writeVolume(w: DescribeWriter, v: Volume): void {
  if (v.configMap) {
    w.line(2, 'Type:', 'ConfigMap (a volume populated by a ConfigMap)');
    w.line(2, 'Name:', v.configMap.name);
    w.line(2, 'Optional:', String(v.configMap.optional === true));
  } else if (v.secret) {
    w.line(2, 'Type:', 'Secret (a volume populated by a Secret)');
    w.line(2, 'SecretName:', v.secret.secretName);
    w.line(2, 'Optional:', String(v.secret.optional === true));
  } else if (v.emptyDir) {
    w.line(2, 'Type:', "EmptyDir (a temporary directory that shares a pod's lifetime)");
    w.line(2, 'Medium:', v.emptyDir.medium ?? '');
    w.line(2, 'SizeLimit:', v.emptyDir.sizeLimit ?? '<unset>');
  }
}

export function writeVolumes(w: DescribeWriter, indent: '' | '  ', volumes: readonly Volume[]): void {
  if (volumes.length === 0) {
    w.line(0, `${indent}Volumes:`, '<none>');
    return;
  }
  w.line(0, `${indent}Volumes:`);
  for (const v of volumes) {
    w.line(1, `${indent === '' ? '' : ' '}${v.name}:`);
    writeVolume(w, v);
  }
}

/** kubectl's toleration form: `key=value:Effect op=Exists for 300s`. */
export function formatToleration(t: Toleration): string {
  let s = t.key ?? '';
  if (t.value) s += `=${t.value}`;
  if (t.effect) s += `:${t.effect}`;
  if (t.operator === 'Exists' && !t.value) s += t.key || t.effect ? ' op=Exists' : 'op=Exists';
  if (t.tolerationSeconds !== undefined) s += ` for ${t.tolerationSeconds}s`;
  return s;
}

export function writeScheduling(w: DescribeWriter, spec: PodSpec): void {
  writeLabelsMultiline(w, 'Node-Selectors', spec.nodeSelector);
  const tolerations = [...spec.tolerations].sort((a, b) => ((a.key ?? '') < (b.key ?? '') ? -1 : 1));
  if (tolerations.length === 0) w.line(0, 'Tolerations:', '<none>');
  tolerations.forEach((t, i) => {
    w.line(0, i === 0 ? 'Tolerations:' : '', formatToleration(t));
  });
}
