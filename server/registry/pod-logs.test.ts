import { describe, expect, it } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Kube } from '../api/object.js';
import { chooseContainer, formatLines, logOptions, runLines, runToShow, selectLines } from './pod-logs.js';

const T0 = Date.parse('2024-05-01T10:00:00Z');
const pod: Kube<Pod> = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'd' },
  spec: { initContainers: [{ name: 'init', image: 'busybox' }], containers: [{ name: 'a', image: 'nginx' }, { name: 'b', image: 'redis' }] },
  status: {
    containerStatuses: [
      { name: 'a', image: 'nginx', imageID: '', ready: true, restartCount: 1, state: { running: { startedAt: '2024-05-01T10:00:10Z' } }, lastState: { terminated: { exitCode: 1, startedAt: '2024-05-01T10:00:00Z', finishedAt: '2024-05-01T10:00:03Z' } } },
      { name: 'b', image: 'redis', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'ImagePullBackOff' } } },
    ],
  },
};
const options = (query: string) => logOptions('p', new URLSearchParams(query));

describe('pod logs', () => {
  it('validates options as upstream', () => {
    expect(() => options('tailLines=-1')).toThrow('PodLogOptions "p" is invalid: tailLines: Invalid value: -1: must be greater than or equal to 0');
    expect(() => options('sinceSeconds=5&sinceTime=2024-05-01T10:00:00Z')).toThrow('at most one of `sinceTime` or `sinceSeconds` may be specified');
  });

  it('chooses containers and words refusals as the apiserver and kubelet do', () => {
    expect(() => chooseContainer(pod, undefined)).toThrow('a container name must be specified for pod p, choose one of: [init a b]');
    expect(() => chooseContainer(pod, 'z')).toThrow('container z is not valid for pod p');
    expect(() => runToShow(pod, 'b', false)).toThrow('container "b" in pod "p" is waiting to start: trying and failing to pull image');
    expect(() => runToShow(pod, 'b', true)).toThrow('previous terminated container "b" in pod "p" not found');
  });

  it('writes a deterministic log per container instance, filtered by tail and since', () => {
    const previous = runToShow(pod, 'a', true);
    expect(formatLines(runLines(previous, T0 + 60_000), true)).toBe(
      [
        '2024-05-01T10:00:00.000000000Z kubemu: container a started (image nginx, attempt 0)',
        '2024-05-01T10:00:01.000000000Z kubemu: container a running, tick 1',
        '2024-05-01T10:00:02.000000000Z kubemu: container a running, tick 2',
        '2024-05-01T10:00:03.000000000Z kubemu: container a exited with code 1',
        '',
      ].join('\n'),
    );
    const current = runToShow(pod, 'a', false);
    const lines = runLines(current, T0 + 15_000);
    expect(lines).toHaveLength(6);
    expect(selectLines(lines, options('tailLines=2'), T0 + 15_000).map((l) => l.text)).toEqual(['kubemu: container a running, tick 4', 'kubemu: container a running, tick 5']);
    expect(selectLines(lines, options('sinceSeconds=2'), T0 + 15_000)).toHaveLength(3);
  });
});
