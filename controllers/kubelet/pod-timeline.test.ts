import { describe, expect, it } from 'vitest';
import type { Behavior } from './config.js';
import { kubeletConfig } from './config.js';
import { podTimeline, qualifiedImage } from './pod-timeline.js';
import type { PodObject } from '../../server/api/kinds.js';

const T0 = Date.parse('2024-05-01T10:00:00Z');
const realistic = kubeletConfig().timings;

function pod(spec: Partial<NonNullable<PodObject['spec']>> = {}, annotations?: Record<string, string>): PodObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'ns', uid: 'u-1', ...(annotations && { annotations }) },
    spec: { containers: [{ name: 'c', image: 'nginx:1.25' }], nodeName: 'node-1', ...spec },
    status: { phase: 'Pending', qosClass: 'BestEffort', conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: '2024-05-01T09:59:59Z' }] },
  };
}

function at(p: PodObject, seconds: number, behaviors: Record<string, Behavior> = {}) {
  return podTimeline({ pod: p, behaviors: new Map(Object.entries(behaviors)), timings: realistic, admittedAt: T0, now: T0 + seconds * 1000, hostIp: '172.18.0.2', podIp: '10.64.0.7' });
}

const condition = (status: { conditions?: { type: string; status: string; reason?: string; message?: string }[] }, type: string) => status.conditions?.find((c) => c.type === type);

describe('podTimeline', () => {
  it('admits, creates, then runs a pod: Pending/ContainerCreating → Running and Ready', () => {
    const admitted = at(pod(), 0);
    expect(admitted.status).toMatchObject({ phase: 'Pending', hostIP: '172.18.0.2', hostIPs: [{ ip: '172.18.0.2' }], startTime: '2024-05-01T10:00:00Z', qosClass: 'BestEffort' });
    expect(admitted.status.podIP).toBeUndefined();
    expect(admitted.status.containerStatuses).toEqual([{ name: 'c', image: 'nginx:1.25', imageID: '', ready: false, restartCount: 0, started: false, lastState: {}, state: { waiting: { reason: 'ContainerCreating' } } }]);
    expect(condition(admitted.status, 'ContainersReady')).toMatchObject({ status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [c]' });
    expect(admitted.nextChangeAt).toBe(T0 + 1000);
    const running = at(pod(), 1);
    expect(running.status).toMatchObject({ phase: 'Running', podIP: '10.64.0.7', podIPs: [{ ip: '10.64.0.7' }] });
    expect(running.status.containerStatuses?.[0]).toMatchObject({ image: 'docker.io/library/nginx:1.25', ready: true, started: true, state: { running: { startedAt: '2024-05-01T10:00:01Z' } } });
    expect(running.status.containerStatuses?.[0]?.imageID).toMatch(/^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/);
    expect(running.status.containerStatuses?.[0]?.containerID).toMatch(/^containerd:\/\/[0-9a-f]{64}$/);
    expect(running.status.conditions?.map((c) => `${c.type}=${c.status}`)).toEqual(['PodReadyToStartContainers=True', 'Initialized=True', 'Ready=True', 'ContainersReady=True', 'PodScheduled=True']);
    expect(condition(running.status, 'PodScheduled')).toMatchObject({ lastTransitionTime: '2024-05-01T09:59:59Z' });
    expect(running.nextChangeAt).toBeUndefined();
  });

  it('honours a readiness probe delay and readiness gates', () => {
    const probed = pod({ containers: [{ name: 'c', image: 'nginx', readinessProbe: { initialDelaySeconds: 7, httpGet: { port: 80 } } }] });
    expect(at(probed, 5).status.containerStatuses?.[0]?.ready).toBe(false);
    expect(at(probed, 5).nextChangeAt).toBe(T0 + 8000);
    expect(at(probed, 8).status.containerStatuses?.[0]?.ready).toBe(true);
    const gated = pod({ readinessGates: [{ conditionType: 'example.com/ready' }] });
    expect(condition(at(gated, 2).status, 'Ready')).toMatchObject({ status: 'False', reason: 'ReadinessGatesNotReady', message: 'corresponding condition of pod readiness gate "example.com/ready" does not exist.' });
    gated.status?.conditions?.push({ type: 'example.com/ready', status: 'True' });
    const open = at(gated, 2);
    expect(condition(open.status, 'Ready')?.status).toBe('True');
    expect(open.status.conditions?.[0]?.type).toBe('example.com/ready');
  });

  it('runs init containers first, in order', () => {
    const withInit = pod({ initContainers: [{ name: 'a', image: 'busybox' }, { name: 'b', image: 'busybox' }] });
    const first = at(withInit, 1.5);
    expect(first.status.phase).toBe('Pending');
    expect(first.status.initContainerStatuses?.map((s) => Object.keys(s.state ?? {})[0])).toEqual(['running', 'waiting']);
    expect(first.status.containerStatuses?.[0]?.state).toEqual({ waiting: { reason: 'PodInitializing' } });
    expect(condition(first.status, 'Initialized')).toMatchObject({ status: 'False', reason: 'ContainersNotInitialized', message: 'containers with incomplete status: [a b]' });
    const done = at(withInit, 3);
    expect(done.status.initContainerStatuses?.map((s) => [s.state?.terminated?.reason, s.ready])).toEqual([['Completed', true], ['Completed', true]]);
    expect(done.status.phase).toBe('Running');
  });

  it('completes pods that do not restart, after their run time', () => {
    const job = pod({ restartPolicy: 'Never' }, { 'kubemu.io/run-duration': '30s' });
    expect(at(job, 20).status.phase).toBe('Running');
    const finished = at(job, 31);
    expect(finished.status.phase).toBe('Succeeded');
    expect(finished.status.containerStatuses?.[0]?.state?.terminated).toMatchObject({ exitCode: 0, reason: 'Completed', startedAt: '2024-05-01T10:00:01Z', finishedAt: '2024-05-01T10:00:31Z' });
    expect(condition(finished.status, 'Ready')).toMatchObject({ status: 'False', reason: 'PodCompleted' });
    expect(condition(finished.status, 'Initialized')).toMatchObject({ status: 'True', reason: 'PodCompleted' });
    expect(finished.status.podIP).toBe('10.64.0.7');
    expect(finished.nextChangeAt).toBeUndefined();
  });

  it('crash-loops with the kubelet back-off: immediate first restart, then 10s, 20s…', () => {
    const crash = { c: 'CrashLoopBackOff' } as const;
    // Runs last 3 s: 1–4, 4–7, back-off 10 s, 17–20, back-off 20 s, 40–43…
    expect(at(pod(), 5, crash).status.containerStatuses?.[0]).toMatchObject({ restartCount: 1, state: { running: {} }, lastState: { terminated: { exitCode: 1, reason: 'Error' } } });
    const backingOff = at(pod(), 8, crash);
    expect(backingOff.status.phase).toBe('Running');
    expect(backingOff.status.containerStatuses?.[0]).toMatchObject({
      restartCount: 2,
      ready: false,
      state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 10s restarting failed container=c pod=p_ns(u-1)' } },
      lastState: { terminated: { exitCode: 1, startedAt: '2024-05-01T10:00:04Z', finishedAt: '2024-05-01T10:00:07Z' } },
    });
    expect(backingOff.nextChangeAt).toBe(T0 + 17_000);
    expect(at(pod(), 25, crash).status.containerStatuses?.[0]?.state?.waiting?.message).toContain('back-off 20s');
  });

  it('fails a pod that does not restart, and never readies or pulls as told', () => {
    expect(at(pod({ restartPolicy: 'Never' }), 10, { c: 'Fail' }).status.phase).toBe('Failed');
    const unready = at(pod(), 60, { c: 'NeverReady' });
    expect(unready.status).toMatchObject({ phase: 'Running', containerStatuses: [{ ready: false, started: true }] });
    expect(at(pod(), 2.5, { c: 'ImagePullBackOff' }).status.containerStatuses?.[0]?.state?.waiting).toMatchObject({ reason: 'ErrImagePull' });
    const stuck = at(pod(), 30, { c: 'ImagePullBackOff' });
    expect(stuck.status).toMatchObject({ phase: 'Pending', containerStatuses: [{ state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "nginx:1.25"' } } }] });
    expect(stuck.nextChangeAt).toBeUndefined();
  });

  it('gives hostNetwork pods the node IP', () => {
    expect(at(pod({ hostNetwork: true }), 2).status.podIP).toBe('172.18.0.2');
  });

  it('qualifies images as containerd reports them', () => {
    expect(qualifiedImage('nginx')).toBe('docker.io/library/nginx:latest');
    expect(qualifiedImage('bitnami/redis:7')).toBe('docker.io/bitnami/redis:7');
    expect(qualifiedImage('registry.k8s.io/pause:3.9')).toBe('registry.k8s.io/pause:3.9');
    expect(qualifiedImage('localhost:5000/app')).toBe('localhost:5000/app:latest');
  });
});
