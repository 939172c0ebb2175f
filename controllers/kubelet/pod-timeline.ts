/**
 * @module controllers/kubelet/pod-timeline
 * Layer: controllers. What a fake kubelet reports for a pod at a given moment — a pure function of the pod's
 * spec, the behaviour of each container, the lifecycle timings, when the kubelet admitted the pod, and now.
 * Because the whole life is a deterministic timeline from admission, the kubelet is level-triggered: any
 * sync (after a restart, after someone overwrote the status) recomputes the same status, and says when the
 * next change is due. Shapes and wording follow the kubelet's (generateAPIPodStatus and friends).
 */
import { rfc3339At } from '../../server/api/time.js';
import { RUN_DURATION_ANNOTATION } from '../../server/api/annotations.js';
import { createHash } from 'node:crypto';
import type { Container, ContainerState, ContainerStatus, PodCondition, PodStatus } from 'kubernetes-types/core/v1.js';
import { parseDuration } from '../../server/api/duration.js';
import type { Behavior, LifecycleTimings } from './config.js';
import type { PodObject } from '../../server/api/kinds.js';


export interface TimelineInput {
  pod: PodObject;
  /** the behaviour of each container (init and regular), by name */
  behaviors: ReadonlyMap<string, Behavior>;
  timings: LifecycleTimings;
  /** when this kubelet first took the pod on (ms) */
  admittedAt: number;
  now: number;
  hostIp: string;
  /** the pod's IP once its sandbox is up (the node IP for hostNetwork pods) */
  podIp: string;
}

export interface Timeline {
  status: PodStatus;
  /** when the status next changes by itself (ms), if ever */
  nextChangeAt: number | undefined;
}

const OWNED = ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'];


function hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The image reference as containerd reports it: registry, repository path, tag. */
export function qualifiedImage(image: string): string {
  let name = image;
  const slash = name.indexOf('/');
  const first = slash < 0 ? '' : name.slice(0, slash);
  if (slash < 0 || !(first.includes('.') || first.includes(':') || first === 'localhost')) {
    name = `docker.io/${slash < 0 ? 'library/' : ''}${name}`;
  }
  const lastSegment = name.slice(name.lastIndexOf('/') + 1);
  if (!lastSegment.includes(':') && !name.includes('@')) name += ':latest';
  return name;
}

function imageId(image: string): string {
  const qualified = qualifiedImage(image);
  const repository = qualified.includes('@') ? qualified.slice(0, qualified.indexOf('@')) : qualified.slice(0, qualified.lastIndexOf(':'));
  return `${repository}@sha256:${hex(qualified)}`;
}

/** Go's time.Duration text for whole seconds: 10s, 1m20s, 5m0s. */
function goDuration(ms: number): string {
  const total = Math.round(ms / 1000);
  if (total < 60) return `${total}s`;
  return `${Math.floor(total / 60)}m${total % 60}s`;
}

/** One run of a container: [start, end) — end undefined while it runs for ever. */
interface Run {
  start: number;
  end: number | undefined;
  exitCode: number;
}

interface ContainerPlan {
  /** runs in order; restarts follow exits after the back-off */
  runs: Run[];
  /** the moment the container is created (before: ContainerCreating / PodInitializing) */
  createdAt: number;
  /** the image cannot be pulled: after pullTime ErrImagePull, then ImagePullBackOff */
  pullFails: boolean;
  pullTime: number;
  readyDelay: number;
  neverReady: boolean;
}

function readinessDelay(container: Container): number {
  return (container.readinessProbe?.initialDelaySeconds ?? 0) * 1000;
}

/** Runs of a container created at `createdAt`, under its behaviour and the pod's restart policy, up to `until`. */
function planRuns(behavior: Behavior, restartPolicy: string, createdAt: number, timings: LifecycleTimings, until: number, runLength: number | undefined): Run[] {
  const exits = behavior === 'CrashLoopBackOff' || behavior === 'Fail' || behavior === 'Complete';
  if (!exits) return [{ start: createdAt, end: undefined, exitCode: 0 }];
  const exitCode = behavior === 'Complete' ? 0 : 1;
  const length = runLength ?? (behavior === 'Complete' ? timings.runToCompletion : timings.crashAfter);
  const restarts = restartPolicy === 'Always' || (restartPolicy === 'OnFailure' && exitCode !== 0);
  const runs: Run[] = [];
  let start = createdAt;
  for (let k = 0; ; k++) {
    const end = start + length;
    runs.push({ start, end, exitCode });
    if (!restarts || end > until || runs.length > 10_000) break;
    // The first restart is immediate; later ones wait a back-off that doubles up to its ceiling.
    const backoff = k === 0 ? 0 : Math.min(timings.restartBackoff * 2 ** (k - 1), timings.maxRestartBackoff);
    start = end + backoff;
  }
  return runs;
}

function containerId(pod: PodObject, name: string, attempt: number): string {
  return `containerd://${hex(`${pod.metadata.uid}/${name}/${attempt}`)}`;
}

function terminated(pod: PodObject, name: string, run: Run, attempt: number): ContainerState {
  return {
    terminated: {
      exitCode: run.exitCode,
      reason: run.exitCode === 0 ? 'Completed' : 'Error',
      startedAt: rfc3339At(run.start),
      finishedAt: rfc3339At(run.end as number),
      containerID: containerId(pod, name, attempt),
    },
  };
}

interface ContainerView {
  status: ContainerStatus;
  /** done for the purpose of init ordering (init: exited 0; sidecar: started) */
  done: boolean;
  running: boolean;
  /** has ever started (a restart-loop container counts) */
  everStarted: boolean;
  exitedNonZero: boolean;
  allRunsOver: boolean;
  nextChangeAt: number | undefined;
}

function viewContainer(pod: PodObject, container: Container, plan: ContainerPlan, now: number, waitingReason: string): ContainerView {
  const base = { name: container.name, image: container.image as string, imageID: '', ready: false, restartCount: 0, started: false, lastState: {} };
  const next: number[] = [];
  if (now < plan.createdAt) {
    return { status: { ...base, state: { waiting: { reason: waitingReason } } }, done: false, running: false, everStarted: false, exitedNonZero: false, allRunsOver: false, nextChangeAt: plan.createdAt };
  }
  if (plan.pullFails) {
    // The pull takes its time, fails (ErrImagePull), and the kubelet then backs off (ImagePullBackOff).
    const failedAt = plan.createdAt + plan.pullTime;
    const backoffAt = failedAt + Math.max(plan.pullTime, 100);
    const waiting =
      now < failedAt
        ? { reason: waitingReason }
        : now < backoffAt
          ? { reason: 'ErrImagePull', message: pullError(container.image as string) }
          : { reason: 'ImagePullBackOff', message: `Back-off pulling image "${container.image}"` };
    const nextChangeAt = now < failedAt ? failedAt : now < backoffAt ? backoffAt : undefined;
    return { status: { ...base, state: { waiting } }, done: false, running: false, everStarted: false, exitedNonZero: false, allRunsOver: false, nextChangeAt };
  }
  const image = qualifiedImage(container.image as string);
  const withImage = { ...base, image, imageID: imageId(container.image as string) };
  const runs = plan.runs;
  let index = runs.length - 1;
  while (index > 0 && (runs[index] as Run).start > now) index--;
  const run = runs[index] as Run;
  const lastState = index > 0 ? terminated(pod, container.name, runs[index - 1] as Run, index - 1) : {};
  if (run.end === undefined || now < run.end) {
    const readyAt = run.start + plan.readyDelay;
    const ready = !plan.neverReady && now >= readyAt;
    if (!ready && !plan.neverReady) next.push(readyAt);
    if (run.end !== undefined) next.push(run.end);
    return {
      status: { ...withImage, containerID: containerId(pod, container.name, index), ready, restartCount: index, started: true, state: { running: { startedAt: rfc3339At(run.start) } }, lastState },
      done: true,
      running: true,
      everStarted: true,
      exitedNonZero: false,
      allRunsOver: false,
      nextChangeAt: next.length > 0 ? Math.min(...next) : undefined,
    };
  }
  // Exited: either waiting out a back-off before the next run, or finished for good.
  const following = runs[index + 1];
  if (following) {
    const backoff = following.start - (run.end as number);
    const state =
      backoff > 0
        ? { waiting: { reason: 'CrashLoopBackOff', message: `back-off ${goDuration(backoff)} restarting failed container=${container.name} pod=${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})` } }
        : terminated(pod, container.name, run, index);
    return {
      status: { ...withImage, containerID: containerId(pod, container.name, index), restartCount: index + (backoff > 0 ? 1 : 0), state, lastState: backoff > 0 ? terminated(pod, container.name, run, index) : lastState },
      done: true,
      running: false,
      everStarted: true,
      exitedNonZero: run.exitCode !== 0,
      allRunsOver: false,
      nextChangeAt: following.start,
    };
  }
  return {
    status: { ...withImage, containerID: containerId(pod, container.name, index), restartCount: index, state: terminated(pod, container.name, run, index), lastState },
    done: run.exitCode === 0,
    running: false,
    everStarted: true,
    exitedNonZero: run.exitCode !== 0,
    allRunsOver: true,
    nextChangeAt: undefined,
  };
}

function pullError(image: string): string {
  const ref = qualifiedImage(image);
  return `rpc error: code = NotFound desc = failed to pull and unpack image "${ref}": failed to resolve reference "${ref}": ${ref}: not found`;
}

function condition(type: string, status: boolean, extra: { reason?: string; message?: string } = {}): PodCondition {
  return { type, status: status ? 'True' : 'False', ...extra };
}

/** The status a kubelet reports for the pod at `now`, and when it next changes. */
export function podTimeline(input: TimelineInput): Timeline {
  const { pod, timings, admittedAt, now } = input;
  const spec = pod.spec ?? { containers: [] };
  const restartPolicy = spec.restartPolicy ?? 'Always';
  const runLength = runLengthOverride(pod);
  const sandboxAt = admittedAt + timings.containerCreating;
  const next: number[] = [];
  if (now < sandboxAt) next.push(sandboxAt);

  // Init containers run one after another; a sidecar (restartPolicy Always) only has to start.
  const initViews: ContainerView[] = [];
  let cursor = sandboxAt;
  let initBlocked = false;
  for (const container of spec.initContainers ?? []) {
    const behavior = input.behaviors.get(container.name) ?? 'Run';
    const sidecar = container.restartPolicy === 'Always';
    const plan: ContainerPlan = {
      createdAt: cursor,
      pullFails: behavior === 'ImagePullBackOff',
      pullTime: timings.imagePull,
      runs: sidecar ? [{ start: cursor, end: undefined, exitCode: 0 }] : [{ start: cursor, end: cursor + timings.initContainer, exitCode: 0 }],
      readyDelay: readinessDelay(container),
      neverReady: behavior === 'NeverReady',
    };
    const view = initBlocked
      ? { status: { name: container.name, image: container.image as string, imageID: '', ready: false, restartCount: 0, started: false, lastState: {}, state: { waiting: { reason: 'PodInitializing' } } }, done: false, running: false, everStarted: false, exitedNonZero: false, allRunsOver: false, nextChangeAt: undefined }
      : viewContainer(pod, container, plan, now, 'PodInitializing');
    // A regular init container is done (and ready) once it exited 0; a sidecar once it started.
    const exited = view.status.state?.terminated;
    view.done = sidecar ? Boolean(view.status.started) : exited?.exitCode === 0;
    if (!sidecar) view.status.ready = view.done;
    initViews.push(view);
    if (!initBlocked && view.nextChangeAt !== undefined) next.push(view.nextChangeAt);
    if (!view.done) initBlocked = true;
    else cursor = sidecar ? cursor : (plan.runs[0]?.end as number);
  }
  const initialized = !initBlocked;
  const mainStart = cursor;
  const hasInit = (spec.initContainers ?? []).length > 0;
  const mainViews = spec.containers.map((container) => {
    if (!initialized) {
      return { status: { name: container.name, image: container.image as string, imageID: '', ready: false, restartCount: 0, started: false, lastState: {}, state: { waiting: { reason: hasInit ? 'PodInitializing' : 'ContainerCreating' } } }, done: false, running: false, everStarted: false, exitedNonZero: false, allRunsOver: false, nextChangeAt: undefined } as ContainerView;
    }
    const behavior = input.behaviors.get(container.name) ?? (restartPolicy === 'Always' ? 'Run' : 'Complete');
    const plan: ContainerPlan = {
      createdAt: mainStart,
      pullFails: behavior === 'ImagePullBackOff',
      pullTime: timings.imagePull,
      runs: planRuns(behavior, restartPolicy, mainStart, timings, now, runLength),
      readyDelay: readinessDelay(container),
      neverReady: behavior === 'NeverReady',
    };
    const view = viewContainer(pod, container, plan, now, hasInit ? 'PodInitializing' : 'ContainerCreating');
    if (view.nextChangeAt !== undefined) next.push(view.nextChangeAt);
    return view;
  });

  const phase = podPhase(restartPolicy, initViews, mainViews, (spec.initContainers ?? []).map((c) => c.restartPolicy === 'Always'));
  const terminal = phase === 'Succeeded' || phase === 'Failed';
  const sandboxUp = now >= sandboxAt && !terminal;
  const unready = mainViews.filter((v) => !v.status.ready).map((v) => v.status.name);
  const containersReady = unready.length === 0;
  const incomplete = initViews.filter((v) => !v.done).map((v) => v.status.name);
  const gatesReady = (spec.readinessGates ?? []).every((gate) => (pod.status?.conditions ?? []).some((c) => c.type === gate.conditionType && c.status === 'True'));
  const terminalReason = phase === 'Succeeded' ? 'PodCompleted' : 'PodFailed';
  const readyCondition = terminal
    ? condition('ContainersReady', false, { reason: terminalReason })
    : containersReady
      ? condition('ContainersReady', true)
      : condition('ContainersReady', false, { reason: 'ContainersNotReady', message: `containers with unready status: [${unready.join(' ')}]` });
  const podReady = readyCondition.status === 'True' && !gatesReady
    ? condition('Ready', false, { reason: 'ReadinessGatesNotReady', message: readinessGateMessage(pod) })
    : { ...readyCondition, type: 'Ready' };
  const owned: PodCondition[] = [
    condition('PodReadyToStartContainers', sandboxUp),
    phase === 'Succeeded'
      ? condition('Initialized', true, { reason: 'PodCompleted' })
      : initialized || mainViews.some((v) => v.everStarted)
        ? condition('Initialized', true)
        : condition('Initialized', false, { reason: 'ContainersNotInitialized', message: `containers with incomplete status: [${incomplete.join(' ')}]` }),
    podReady,
    readyCondition,
    condition('PodScheduled', true),
  ];
  const previous = pod.status?.conditions ?? [];
  const nowText = rfc3339At(now);
  const conditions = [
    ...previous.filter((c) => !OWNED.includes(c.type)),
    ...owned.map((c) => {
      const before = previous.find((p) => p.type === c.type);
      const transitioned = !before || before.status !== c.status;
      return { ...c, lastProbeTime: null as unknown as string, lastTransitionTime: transitioned ? nowText : (before?.lastTransitionTime ?? nowText) };
    }),
  ];
  const hostNetwork = spec.hostNetwork === true;
  const status: PodStatus = {
    ...(pod.status?.qosClass && { qosClass: pod.status.qosClass }),
    ...(pod.status?.nominatedNodeName && { nominatedNodeName: pod.status.nominatedNodeName }),
    phase,
    conditions,
    hostIP: input.hostIp,
    hostIPs: [{ ip: input.hostIp }],
    ...(now >= sandboxAt && { podIP: hostNetwork ? input.hostIp : input.podIp, podIPs: [{ ip: hostNetwork ? input.hostIp : input.podIp }] }),
    startTime: pod.status?.startTime ?? rfc3339At(admittedAt),
    ...(initViews.length > 0 && { initContainerStatuses: initViews.map((v) => v.status) }),
    containerStatuses: mainViews.map((v) => v.status).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
  };
  const ephemeral = ephemeralStatuses(pod, now, now >= sandboxAt && !terminal);
  if (ephemeral.length > 0) status.ephemeralContainerStatuses = ephemeral;
  const future = next.filter((at) => at > now);
  return { status, nextChangeAt: terminal || future.length === 0 ? undefined : Math.min(...future) };
}

/**
 * Ephemeral containers (`kubectl debug`) start as soon as the kubelet sees them in a running pod and are never
 * restarted; their start is not part of the pod's timeline, so a status once reported running is kept.
 * Shaped as the kubelet reports them: no `started`, never ready.
 */
function ephemeralStatuses(pod: PodObject, now: number, canStart: boolean): ContainerStatus[] {
  const previous = pod.status?.ephemeralContainerStatuses ?? [];
  return (pod.spec?.ephemeralContainers ?? []).map((container) => {
    const reported = previous.find((s) => s.name === container.name);
    if (reported?.state?.running || reported?.state?.terminated) return reported;
    const image = container.image ?? '';
    if (!canStart) return { name: container.name, image, imageID: '', ready: false, restartCount: 0, lastState: {}, state: { waiting: { reason: 'ContainerCreating' } } };
    return {
      name: container.name,
      image: qualifiedImage(image),
      imageID: imageId(image),
      containerID: containerId(pod, container.name, 0),
      ready: false,
      restartCount: 0,
      lastState: {},
      state: { running: { startedAt: rfc3339At(now) } },
    };
  });
}

function readinessGateMessage(pod: PodObject): string {
  for (const gate of pod.spec?.readinessGates ?? []) {
    const found = (pod.status?.conditions ?? []).find((c) => c.type === gate.conditionType);
    if (!found) return `corresponding condition of pod readiness gate "${gate.conditionType}" does not exist.`;
    if (found.status !== 'True') return `the status of pod readiness gate "${gate.conditionType}" is not "True", but ${found.status}`;
  }
  return '';
}

/** Upstream getPhase, for the states kubemu's containers can be in. */
function podPhase(restartPolicy: string, init: ContainerView[], main: ContainerView[], sidecar: boolean[]): string {
  const initPending = init.some((view, i) => !view.done && !(sidecar[i] && main.some((m) => m.everStarted)));
  if (initPending) return 'Pending';
  if (main.some((view) => !view.everStarted)) return 'Pending';
  if (main.some((view) => view.running)) return 'Running';
  // Every container has stopped.
  if (restartPolicy === 'Always') return 'Running';
  if (main.some((view) => !view.allRunsOver)) return 'Running';
  return main.some((view) => view.exitedNonZero) ? 'Failed' : 'Succeeded';
}


function runLengthOverride(pod: PodObject): number | undefined {
  const text = pod.metadata.annotations?.[RUN_DURATION_ANNOTATION];
  return text ? parseDuration(text) : undefined;
}
