import { afterEach, describe, expect, it } from 'vitest';
import type { Event } from 'kubernetes-types/core/v1.js';
import type { Kube, KubeObject } from '../../server/api/object.js';
import { controlledWorld, eventually, type ControlledWorld } from '../../test/support/controllers.js';
import { ApiError, StatusReason } from '../../server/api/status.js';
import { FakeClock } from '../clock.js';
import { EventTtlController } from './event-ttl.js';
import { EventRecorder } from './recorder.js';

const EVENTS = { group: '', resource: 'events' };
let world: ControlledWorld;
afterEach(async () => {
  expect(world.errors).toEqual([]);
  await world.close();
});

const events = () => world.client.list<Kube<Event>>(EVENTS, undefined).items;

describe('EventRecorder', () => {
  it('writes core/v1 events as client-go does and patches repeats', async () => {
    world = await controlledWorld([]);
    const pod: KubeObject = await world.client.create({ group: '', resource: 'pods' }, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
    const node: KubeObject = await world.client.create({ group: '', resource: 'nodes' }, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } });
    const recorder = new EventRecorder(world.client, { component: 'kubelet', host: 'n1' });
    recorder.event(pod, 'Normal', 'Pulled', 'Container image "nginx" already present on machine');
    recorder.event(pod, 'Normal', 'Pulled', 'Container image "nginx" already present on machine');
    recorder.event(pod, 'Normal', 'Pulled', 'Container image "nginx" already present on machine');
    recorder.event(node, 'Warning', 'NodeNotReady', 'Node n1 status is now: NodeNotReady');
    await recorder.flush();
    const written = events();
    expect(written).toHaveLength(2);
    const pulled = written.find((e) => e.reason === 'Pulled');
    expect(pulled).toMatchObject({
      metadata: { namespace: 'default' },
      involvedObject: { kind: 'Pod', name: 'web', namespace: 'default', uid: pod.metadata.uid, apiVersion: 'v1' },
      source: { component: 'kubelet', host: 'n1' },
      reportingComponent: 'kubelet',
      reportingInstance: 'n1',
      count: 3,
      type: 'Normal',
    });
    expect(pulled?.metadata.name).toMatch(/^web\.[0-9a-f]+$/);
    // A cluster-scoped object's events live in "default".
    expect(written.find((e) => e.reason === 'NodeNotReady')?.metadata.namespace).toBe('default');
  });

  it('writes an expired repeat again under its first name', async () => {
    world = await controlledWorld([]);
    const cm: KubeObject = await world.client.create({ group: '', resource: 'configmaps' }, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' } });
    const recorder = new EventRecorder(world.client, { component: 'test' });
    recorder.event(cm, 'Normal', 'Touched', 'touched');
    await recorder.flush();
    const [first] = events();
    await world.client.delete(EVENTS, 'default', first?.metadata.name as string);
    recorder.event(cm, 'Normal', 'Touched', 'touched');
    await recorder.flush();
    expect(events()).toMatchObject([{ metadata: { name: first?.metadata.name }, count: 2 }]);
  });

  it('stops writing once the store is gone, dropping what is queued quietly', async () => {
    world = await controlledWorld([]);
    const cm: KubeObject = await world.client.create({ group: '', resource: 'configmaps' }, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' } });
    let attempts = 0;
    const client = new Proxy(world.client, {
      get(target, property, receiver) {
        if (property === 'create') {
          return () => {
            attempts++;
            return Promise.reject(new ApiError(503, StatusReason.ServiceUnavailable, 'storage is unavailable'));
          };
        }
        return Reflect.get(target, property, receiver) as unknown;
      },
    });
    const errors: unknown[] = [];
    const recorder = new EventRecorder(client, { component: 'test' }, { onError: (error) => errors.push(error) });
    for (let i = 0; i < 50; i++) recorder.event(cm, 'Normal', `Reason${i}`, `message ${i}`);
    await recorder.flush();
    expect(attempts).toBe(1);
    expect(errors).toEqual([]);
  });
});

describe('event TTL', () => {
  it('deletes an event once the TTL passed since its last write', async () => {
    const clock = new FakeClock(Date.now());
    world = await controlledWorld([(c) => new EventTtlController(c, 60)], { clock });
    const cm: KubeObject = await world.client.create({ group: '', resource: 'configmaps' }, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' } });
    const recorder = new EventRecorder(world.client, { component: 'test' }, { clock });
    recorder.event(cm, 'Normal', 'Touched', 'touched');
    await recorder.flush();
    await eventually('the event is scheduled', () => clock.pending > 0);
    clock.advance(30_000);
    expect(events()).toHaveLength(1);
    clock.advance(31_000);
    await eventually('the event expired', () => events().length === 0);
  });
});
