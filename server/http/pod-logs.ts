/**
 * @module server/http/pod-logs
 * Layer: http. GET pods/{name}/log for pods on nodes kubemu's kubelets serve: the synthetic log of the chosen
 * container instance as text/plain, and with follow=true a stream that grows a line a second until the
 * container stops, the pod goes, or kubemu shuts down.
 */
import type { Node } from 'kubernetes-types/core/v1.js';
import { KUBELET_ANNOTATION } from '../api/annotations.js';
import type { Kube } from '../api/object.js';
import { errors } from '../api/status.js';
import { chooseContainer, formatLines, logOptions, runLines, runToShow, selectLines, type ContainerRun } from '../registry/pod-logs.js';
import type { Registry } from '../registry/registry.js';
import type { SubresourceHandler } from './api.js';
import type { PodObject } from '../api/kinds.js';


/** Whether a kubemu kubelet answers for the node (it exists, and is neither stopped nor opted out). */
function kubeletServes(registry: Registry, nodeName: string): boolean {
  const node = registry.get(registry.resource('', 'nodes'), undefined, nodeName)?.object as Kube<Node> | undefined;
  const mode = node?.metadata.annotations?.[KUBELET_ANNOTATION];
  return node !== undefined && mode !== 'disabled' && mode !== 'stopped';
}

export function podLogHandler(shutdown: AbortSignal): SubresourceHandler {
  return async (call) => {
    if (call.info.verb !== 'get') throw errors.methodNotAllowed();
    const { registry, resource, info } = call;
    const name = info.name as string;
    const pod = registry.read(resource, info.namespace, name).object as PodObject;
    const options = logOptions(name, call.query);
    const nodeName = pod.spec?.nodeName;
    if (!nodeName) {
      call.res.status(204).end();
      return;
    }
    if (!kubeletServes(registry, nodeName)) throw errors.badRequest(`the log of pod ${name} is not served: no kubelet serves node ${nodeName}`);
    const container = chooseContainer(pod, options.container);
    const run = runToShow(pod, container, options.previous);
    const now = registry.now().getTime();
    const res = call.res;
    let budget = options.limitBytes ?? Infinity;
    const send = (text: string): boolean => {
      const bytes = Buffer.from(text);
      if (bytes.length > budget) {
        res.write(bytes.subarray(0, budget));
        budget = 0;
        return false;
      }
      budget -= bytes.length;
      if (bytes.length > 0) res.write(bytes);
      return budget > 0;
    };
    res.status(200).setHeader('Content-Type', 'text/plain');
    const open = send(formatLines(selectLines(runLines(run, now), options, now), options.timestamps));
    if (!options.follow || run.finishedAt !== undefined || !open) {
      res.end();
      return;
    }
    await follow(call.registry, pod, run, now, options.timestamps, send, shutdown, res);
  };
}

function currentRun(pod: PodObject, container: string): ContainerRun | undefined {
  try {
    return runToShow(pod, container, false);
  } catch {
    return undefined;
  }
}

/** Stream new lines of a running container until it stops (its last lines included) or the stream ends. */
async function follow(
  registry: Registry,
  pod: PodObject,
  run: ContainerRun,
  since: number,
  timestamps: boolean,
  send: (text: string) => boolean,
  shutdown: AbortSignal,
  res: { end(): void; on(event: 'close', listener: () => void): unknown },
): Promise<void> {
  let closed = false;
  res.on('close', () => (closed = true));
  let sent = runLines(run, since).length;
  const pods = registry.resource('', 'pods');
  while (!closed && !shutdown.aborted) {
    await new Promise((resolve) => setTimeout(resolve, 1000 - ((Date.now() - run.startedAt) % 1000) + 5));
    const current = registry.get(pods, pod.metadata.namespace, pod.metadata.name as string)?.object as PodObject | undefined;
    const now = registry.now().getTime();
    let ended = run;
    if (!current || current.metadata.uid !== pod.metadata.uid) ended = { ...run, finishedAt: now, exitCode: 0 };
    else {
      const latest = currentRun(current, run.container);
      if (!latest || latest.startedAt !== run.startedAt) ended = { ...run, finishedAt: latest?.startedAt ?? now, exitCode: 0 };
      else if (latest.finishedAt !== undefined) ended = latest;
    }
    const lines = runLines(ended, now);
    // The exit line is always told, even when the (second-precise) exit time falls before the last tick sent.
    const fresh = ended.finishedAt !== undefined && sent >= lines.length ? lines.slice(-1) : lines.slice(sent);
    sent = lines.length;
    const open = send(formatLines(fresh, timestamps));
    if (!open || ended.finishedAt !== undefined) break;
  }
  res.end();
}
