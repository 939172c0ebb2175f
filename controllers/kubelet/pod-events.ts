/**
 * @module controllers/kubelet/pod-events
 * Layer: controllers. The events a kubelet records about a pod's containers, derived from how their status
 * changed between two reports (so a sync that skips intermediate states still tells the story): image
 * pulls, creation and start, pull failures and back-off, crash-loop back-off. Wording as kubelet 1.30.
 */
import type { ContainerStatus, PodStatus } from 'kubernetes-types/core/v1.js';
import type { EventType } from '../events/recorder.js';

export interface ContainerEvent {
  type: EventType;
  reason: string;
  message: string;
}

function byName(statuses: readonly ContainerStatus[] | undefined): Map<string, ContainerStatus> {
  return new Map((statuses ?? []).map((s) => [s.name, s]));
}

function changes(before: ContainerStatus | undefined, after: ContainerStatus, image: string, podRef: string): ContainerEvent[] {
  const events: ContainerEvent[] = [];
  const wasWaiting = before?.state?.waiting?.reason;
  const waiting = after.state?.waiting?.reason;
  const ran = (status: ContainerStatus | undefined) => Boolean(status?.state?.running || status?.state?.terminated);
  const newRun = ran(after) && (!ran(before) || after.restartCount !== before?.restartCount);
  if (newRun) {
    events.push(
      { type: 'Normal', reason: 'Pulled', message: `Container image "${image}" already present on machine` },
      { type: 'Normal', reason: 'Created', message: `Created container ${after.name}` },
      { type: 'Normal', reason: 'Started', message: `Started container ${after.name}` },
    );
  }
  if (waiting === 'ErrImagePull' && wasWaiting !== 'ErrImagePull') {
    events.push(
      { type: 'Normal', reason: 'Pulling', message: `Pulling image "${image}"` },
      { type: 'Warning', reason: 'Failed', message: `Failed to pull image "${image}": ${after.state?.waiting?.message ?? ''}` },
      { type: 'Warning', reason: 'Failed', message: 'Error: ErrImagePull' },
    );
  }
  if (waiting === 'ImagePullBackOff' && wasWaiting !== 'ImagePullBackOff') {
    events.push({ type: 'Normal', reason: 'BackOff', message: `Back-off pulling image "${image}"` }, { type: 'Warning', reason: 'Failed', message: 'Error: ImagePullBackOff' });
  }
  if (waiting === 'CrashLoopBackOff' && (wasWaiting !== 'CrashLoopBackOff' || before?.restartCount !== after.restartCount)) {
    events.push({ type: 'Warning', reason: 'BackOff', message: `Back-off restarting failed container ${after.name} in pod ${podRef}` });
  }
  return events;
}

/** Events for every container whose status moved between `before` and `after`, with its field path. */
export function containerEvents(
  before: PodStatus | undefined,
  after: PodStatus,
  images: ReadonlyMap<string, { image: string; init: boolean }>,
  podRef: string,
): (ContainerEvent & { fieldPath: string })[] {
  const out: (ContainerEvent & { fieldPath: string })[] = [];
  for (const [list, previous] of [
    [after.initContainerStatuses, byName(before?.initContainerStatuses)],
    [after.containerStatuses, byName(before?.containerStatuses)],
  ] as const) {
    for (const status of list ?? []) {
      const spec = images.get(status.name);
      if (!spec) continue;
      const path = `${spec.init ? 'spec.initContainers' : 'spec.containers'}{${status.name}}`;
      for (const event of changes(previous.get(status.name), status, spec.image, podRef)) out.push({ ...event, fieldPath: path });
    }
  }
  return out;
}
