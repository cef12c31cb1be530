// Checks of a container's probes and lifecycle hooks (validateProbe, validateHandler
// upstream): one handler type each, ports that exist, thresholds probes allow. Pure.
import type { Container, Probe } from '../../model/k8s.js';
import { isValidPortName, isValidPortNum } from '../name-rules.js';
import type { Collector, P } from './collector.js';

type Handler = Probe | NonNullable<Container['lifecycle']>['preStop'];

/** A port given by number, or by the name of one of the container's ports. */
function checkPortRef(c: Collector, port: number | string, ctr: Container, path: P, code: string): void {
  if (typeof port === 'number') {
    for (const e of isValidPortNum(port)) c.error(path, code, `port ${port}: ${e}`);
    return;
  }
  const errs = isValidPortName(port);
  for (const e of errs) c.error(path, code, `port name "${port}": ${e}`);
  if (errs.length === 0 && !ctr.ports.some((p) => p.name === port))
    c.error(path, code, `port "${port}" is not the name of any port of container "${ctr.name}"`);
}

const HTTP_HEADER_NAME = /^[-A-Za-z0-9]+$/;
/** Control characters but horizontal tab: what HTTP forbids in a header value, and what
 *  Go's URL parser refuses in a path or host ("invalid control character in URL"). */
const CONTROL = /[\0-\x08\x0A-\x1F\x7F]/;

/** httpGet (validateHTTPGetAction upstream): header names as the API server checks them
 *  (IsHTTPHeaderName); control characters in the path, host or a header value, which the
 *  kubelet's HTTP client refuses or rewrites ("too late to reject it"), are refused here
 *  so they never reach a request. Header values are never quoted: they may be tokens. */
function checkHttpGet(c: Collector, g: NonNullable<Probe['httpGet']>, path: P): void {
  if (CONTROL.test(g.path))
    c.error([...path, 'path'], 'semantic.probe', 'path must not contain control characters (CR, LF, ...)');
  if (g.host !== undefined && (CONTROL.test(g.host) || /\s/.test(g.host)))
    c.error([...path, 'host'], 'semantic.probe', 'host must not contain whitespace or control characters');
  (g.httpHeaders ?? []).forEach((h, i) => {
    if (!HTTP_HEADER_NAME.test(h.name))
      c.error(
        [...path, 'httpHeaders', i, 'name'],
        'semantic.probe-header',
        `Invalid value: ${JSON.stringify(h.name)}: a valid HTTP header must consist of alphanumeric characters or '-' (e.g. 'X-Header-Name', regex used for validation is '[-A-Za-z0-9]+')`,
      );
    if (CONTROL.test(h.value))
      c.error(
        [...path, 'httpHeaders', i, 'value'],
        'semantic.probe-header',
        'header value must not contain control characters (CR, LF, ...): no HTTP client can send it',
      );
  });
}

/** validateHandler upstream: exactly one handler, counted in upstream's order (exec,
 *  httpGet, tcpSocket, grpc), so the second one set is the one named. `kinds` lists the
 *  handlers the field allows (a probe's include grpc, a lifecycle hook's do not). */
function checkHandler(c: Collector, h: Handler, ctr: Container, path: P, what: string, kinds: string): void {
  if (!h) return;
  const grpc = 'grpc' in h ? h.grpc : undefined;
  const set = [
    h.exec ? 'exec' : '',
    h.httpGet ? 'httpGet' : '',
    h.tcpSocket ? 'tcpSocket' : '',
    grpc ? 'grpc' : '',
  ].filter(Boolean);
  if (set.length === 0) c.error(path, 'semantic.probe', `${what} must specify a handler type (${kinds})`);
  if (set.length > 1)
    c.error([...path, set[1]!], 'semantic.probe', `${what} may not specify more than 1 handler type`);
  if (h.httpGet) {
    checkPortRef(c, h.httpGet.port, ctr, [...path, 'httpGet', 'port'], 'semantic.probe-port');
    checkHttpGet(c, h.httpGet, [...path, 'httpGet']);
  }
  if (h.tcpSocket) {
    checkPortRef(c, h.tcpSocket.port, ctr, [...path, 'tcpSocket', 'port'], 'semantic.probe-port');
    const host = h.tcpSocket.host;
    if (host !== undefined && (CONTROL.test(host) || /\s/.test(host)))
      c.error(
        [...path, 'tcpSocket', 'host'],
        'semantic.probe',
        'host must not contain whitespace or control characters',
      );
  }
  // validateGRPCAction upstream: the port is a number, 1-65535; `service` is any string.
  if (grpc)
    for (const e of isValidPortNum(grpc.port))
      c.error([...path, 'grpc', 'port'], 'semantic.probe-port', `port ${grpc.port}: ${e}`);
  if (h.exec && h.exec.command.length === 0)
    c.error([...path, 'exec', 'command'], 'semantic.probe', 'exec.command must not be empty');
}

function checkProbe(
  c: Collector,
  p: Probe | undefined,
  ctr: Container,
  path: P,
  kind: 'liveness' | 'readiness' | 'startup',
): void {
  if (!p) return;
  checkHandler(c, p, ctr, path, `${kind}Probe`, 'exec, httpGet, tcpSocket or grpc');
  if (kind !== 'readiness' && p.successThreshold !== 1)
    c.error([...path, 'successThreshold'], 'semantic.probe', `must be 1 for ${kind} probes`);
  if (kind === 'readiness' && p.terminationGracePeriodSeconds !== undefined)
    c.error(
      [...path, 'terminationGracePeriodSeconds'],
      'semantic.probe',
      'must not be set for readinessProbes',
    );
}

const HOOKS = 'exec, httpGet or tcpSocket';

/** The liveness, readiness and startup probes, then the preStop and postStart hooks. */
export function checkProbesAndHooks(c: Collector, ctr: Container, path: P): void {
  checkProbe(c, ctr.livenessProbe, ctr, [...path, 'livenessProbe'], 'liveness');
  checkProbe(c, ctr.readinessProbe, ctr, [...path, 'readinessProbe'], 'readiness');
  checkProbe(c, ctr.startupProbe, ctr, [...path, 'startupProbe'], 'startup');
  if (ctr.lifecycle?.preStop)
    checkHandler(c, ctr.lifecycle.preStop, ctr, [...path, 'lifecycle', 'preStop'], 'preStop', HOOKS);
  if (ctr.lifecycle?.postStart)
    checkHandler(c, ctr.lifecycle.postStart, ctr, [...path, 'lifecycle', 'postStart'], 'postStart', HOOKS);
}
