/**
 * @module server/registry/pod-logs
 * Layer: registry. pods/log for pods on kubemu's fake nodes: which container instance a request means
 * (current, or --previous), the kubelet's refusals worded as upstream, and each instance's synthetic,
 * deterministic log — a start line, one line per second while it runs, an exit line — filtered by
 * sinceSeconds/sinceTime, tailLines and limitBytes.
 */
import type { ContainerStatus } from 'kubernetes-types/core/v1.js';
import { field, invalidError } from '../api/field-errors.js';
import { errors } from '../api/status.js';
import type { PodObject } from '../api/kinds.js';


export interface LogOptions {
  container: string | undefined;
  follow: boolean;
  previous: boolean;
  timestamps: boolean;
  sinceSeconds: number | undefined;
  sinceTime: number | undefined;
  tailLines: number | undefined;
  limitBytes: number | undefined;
}

/** One run of one container: what its log is made of. */
export interface ContainerRun {
  container: string;
  image: string;
  attempt: number;
  startedAt: number;
  /** undefined while it runs */
  finishedAt: number | undefined;
  exitCode: number;
}

export interface LogLine {
  at: number;
  text: string;
}

function integer(query: URLSearchParams, name: string): number | undefined {
  const value = query.get(name);
  if (value === null || value === '') return undefined;
  if (!/^-?\d+$/.test(value)) throw errors.badRequest(`invalid value for ${name}: ${JSON.stringify(value)}`);
  return Number(value);
}

/** PodLogOptions from a query, validated as upstream (422 on PodLogOptions). */
export function logOptions(name: string, query: URLSearchParams): LogOptions {
  const sinceTimeText = query.get('sinceTime');
  const sinceTime = sinceTimeText ? Date.parse(sinceTimeText) : undefined;
  if (sinceTimeText && Number.isNaN(sinceTime)) throw errors.badRequest(`invalid value for sinceTime: ${JSON.stringify(sinceTimeText)}`);
  const options: LogOptions = {
    container: query.get('container') || undefined,
    follow: query.get('follow') === 'true',
    previous: query.get('previous') === 'true',
    timestamps: query.get('timestamps') === 'true',
    sinceSeconds: integer(query, 'sinceSeconds'),
    sinceTime,
    tailLines: integer(query, 'tailLines') ?? integer(query, 'tail'),
    limitBytes: integer(query, 'limitBytes'),
  };
  const problems = [];
  if (options.tailLines !== undefined && options.tailLines < 0) problems.push(field.invalid('tailLines', options.tailLines, 'must be greater than or equal to 0'));
  if (options.limitBytes !== undefined && options.limitBytes < 1) problems.push(field.invalid('limitBytes', options.limitBytes, 'must be greater than 0'));
  if (options.sinceSeconds !== undefined && options.sinceSeconds < 1) problems.push(field.invalid('sinceSeconds', options.sinceSeconds, 'must be greater than 0'));
  if (options.sinceSeconds !== undefined && options.sinceTime !== undefined) problems.push(field.forbidden('', 'at most one of `sinceTime` or `sinceSeconds` may be specified'));
  if (problems.length > 0) throw invalidError({ group: '', kind: 'PodLogOptions' }, name, problems);
  return options;
}

/** The container a request names, or the only one; errors as the apiserver words them. */
export function chooseContainer(pod: PodObject, requested: string | undefined): string {
  const name = pod.metadata.name as string;
  const spec = pod.spec;
  const all = [...(spec?.initContainers ?? []), ...(spec?.containers ?? []), ...(spec?.ephemeralContainers ?? [])].map((c) => c.name);
  if (requested) {
    if (!all.includes(requested)) throw errors.badRequest(`container ${requested} is not valid for pod ${name}`);
    return requested;
  }
  if ((spec?.containers ?? []).length === 1) return spec?.containers[0]?.name as string;
  if (all.length === 0) throw errors.badRequest(`a container name must be specified for pod ${name}`);
  throw errors.badRequest(`a container name must be specified for pod ${name}, choose one of: [${all.join(' ')}]`);
}

function statusOf(pod: PodObject, container: string): ContainerStatus | undefined {
  const status = pod.status;
  return [...(status?.initContainerStatuses ?? []), ...(status?.containerStatuses ?? []), ...(status?.ephemeralContainerStatuses ?? [])].find((s) => s.name === container);
}

/** The container instance whose log is asked for (the kubelet's choice), or its refusal. */
export function runToShow(pod: PodObject, container: string, previous: boolean): ContainerRun {
  const podName = pod.metadata.name as string;
  const status = statusOf(pod, container);
  if (!status) throw errors.badRequest(`container "${container}" in pod "${podName}" is not available`);
  const run = (state: ContainerStatus['state'], attempt: number): ContainerRun | undefined => {
    if (state?.running?.startedAt) return { container, image: status.image, attempt, startedAt: Date.parse(state.running.startedAt), finishedAt: undefined, exitCode: 0 };
    const ended = state?.terminated;
    if (ended?.startedAt) {
      return { container, image: status.image, attempt, startedAt: Date.parse(ended.startedAt), finishedAt: Date.parse(ended.finishedAt ?? ended.startedAt), exitCode: ended.exitCode };
    }
    return undefined;
  };
  const last = run(status.lastState, Math.max(0, status.restartCount - 1));
  if (previous) {
    if (!last || !status.lastState?.terminated) throw errors.badRequest(`previous terminated container "${container}" in pod "${podName}" not found`);
    return last;
  }
  const current = run(status.state, status.restartCount);
  if (current) return current;
  if (last) return last;
  const reason = status.state?.waiting?.reason ?? '';
  if (reason === 'ErrImagePull') throw errors.badRequest(`container "${container}" in pod "${podName}" is waiting to start: image can't be pulled`);
  if (reason === 'ImagePullBackOff') throw errors.badRequest(`container "${container}" in pod "${podName}" is waiting to start: trying and failing to pull image`);
  if (reason) throw errors.badRequest(`container "${container}" in pod "${podName}" is waiting to start: ${reason}`);
  throw errors.badRequest(`container "${container}" in pod "${podName}" is waiting to start - no logs yet`);
}

/** The log of a run up to `now`: deterministic, so every read (and every restart of kubemu) agrees. */
export function runLines(run: ContainerRun, now: number): LogLine[] {
  const lines: LogLine[] = [{ at: run.startedAt, text: `kubemu: container ${run.container} started (image ${run.image}, attempt ${run.attempt})` }];
  const end = run.finishedAt ?? now;
  for (let at = run.startedAt + 1000, tick = 1; at <= end && (run.finishedAt === undefined || at < run.finishedAt); at += 1000, tick++) {
    lines.push({ at, text: `kubemu: container ${run.container} running, tick ${tick}` });
  }
  if (run.finishedAt !== undefined) lines.push({ at: run.finishedAt, text: `kubemu: container ${run.container} exited with code ${run.exitCode}` });
  return lines;
}

/** RFC 3339 with nine fractional digits, as the kubelet prefixes --timestamps lines. */
export function logTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
}

export function formatLines(lines: readonly LogLine[], timestamps: boolean): string {
  return lines.map((line) => `${timestamps ? `${logTimestamp(line.at)} ` : ''}${line.text}\n`).join('');
}

/** Apply since/tail filtering to a run's lines at `now`. */
export function selectLines(lines: readonly LogLine[], options: LogOptions, now: number): LogLine[] {
  const since = options.sinceTime ?? (options.sinceSeconds !== undefined ? now - options.sinceSeconds * 1000 : undefined);
  let selected = since === undefined ? [...lines] : lines.filter((line) => line.at >= since);
  if (options.tailLines !== undefined) selected = options.tailLines === 0 ? [] : selected.slice(-options.tailLines);
  return selected;
}
