import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trackAvailability } from './support/availability.js';
import { kubectlAvailable, NEWEST, OLDEST, type Kubectl } from './support/kubectl.js';
import { startTestCluster, type TestCluster } from './support/server.js';
import { eventually } from './support/wait.js';

/** Six nodes in three tainted zones, as TestDaemonSetRollingUpdateWithTolerations sets them up. */
const ZONES = { 'zone-y': ['y-1', 'y-2'], 'zone-z': ['z-1', 'z-2'], 'zone-common': ['common-1', 'common-2'] };
const POOLS = {
  nodePools: Object.entries(ZONES).map(([zone, [first]]) => ({
    namePrefix: (first as string).replace(/1$/, ''),
    count: 2,
    labels: { zone },
    taints: [{ key: zone, value: 'true', effect: 'NoSchedule' }],
  })),
  podLifecycle: { speed: 'fast', timings: { containerCreating: '200ms' } },
};

interface PodJson {
  metadata: { name: string; uid: string; deletionTimestamp?: string; labels?: Record<string, string> };
  spec: { nodeName?: string; tolerations: { key?: string }[]; containers: { env?: { value: string }[] }[] };
}

const tolerate = (...zones: string[]) => zones.map((zone) => ({ key: zone, operator: 'Exists', effect: 'NoSchedule' }));

describe.runIf(kubectlAvailable()).each([OLDEST, NEWEST])('kubectl %s: upstream DaemonSet scenarios', (minor) => {
  let cluster: TestCluster;
  let kubectl: Kubectl;
  beforeAll(async () => {
    cluster = await startTestCluster({ nodeConfig: POOLS });
    kubectl = cluster.kubectl(minor);
    await kubectl.waitForReadyNodes(6);
  });
  afterAll(() => cluster.close());

  const json = async <T>(args: string[]): Promise<T> => JSON.parse(await kubectl.ok([...args, '-o', 'json'])) as T;
  const live = async (name: string) => (await json<{ items: PodJson[] }>(['get', 'pods', '-l', `app=${name}`])).items.filter((p) => !p.metadata.deletionTimestamp);
  const status = async (name: string) => (await json<{ status: Record<string, number> }>(['get', 'ds', name])).status;
  const settled = (name: string, count: number) =>
    eventually(`${name} settles at ${count}`, async () => {
      const s = await status(name);
      return s.desiredNumberScheduled === count && s.numberReady === count && s.updatedNumberScheduled === count && (await live(name)).length === count;
    }, 20_000);
  const apply = (name: string, tolerations: object[], extra: object = {}) =>
    kubectl.ok(['apply', '-f', '-'], {
      stdin: JSON.stringify({
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        metadata: { name, labels: { app: name } },
        spec: {
          selector: { matchLabels: { app: name } },
          updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
          template: { metadata: { labels: { app: name } }, spec: { tolerations, containers: [{ name: 'app', image: 'httpd:2.4' }] } },
          ...extra,
        },
      }),
    });

  it('rolls tolerations across zones with surge (TestDaemonSetRollingUpdateWithTolerations)', async () => {
    await apply('zones', tolerate('zone-y', 'zone-common'));
    await settled('zones', 4);
    const watcher = trackAvailability(cluster.kubemu.registry, 'default', 'zones', ZONES['zone-common']);
    const zones = trackAvailability(cluster.kubemu.registry, 'default', 'zones', [...ZONES['zone-y'], ...ZONES['zone-z']]);
    const everywhere = trackAvailability(cluster.kubemu.registry, 'default', 'zones', Object.values(ZONES).flat());
    await apply('zones', tolerate('zone-z', 'zone-common'));
    await settled('zones', 4);
    for (const tracker of [watcher, zones, everywhere]) tracker.stop();
    // The common nodes were rolled with a surge pod: never without an available pod.
    expect(watcher.worstUnavailable).toBe(0);
    // The old pods in zone y stayed until the new ones in zone z were available: two of the four always were.
    expect(zones.worstUnavailable).toBe(2);
    // At the peak: two old in y, two new in z, the two old on common nodes and one surge pod there.
    expect(everywhere.mostPodsAlive).toBe(7);
    const moved = await live('zones');
    expect(moved.map((p) => p.spec.nodeName).sort()).toEqual([...ZONES['zone-z'], ...ZONES['zone-common']].sort());
    expect(moved.every((p) => p.spec.tolerations.some((t) => t.key === 'zone-z'))).toBe(true);
    await apply('zones', tolerate('zone-y', 'zone-z', 'zone-common'));
    await settled('zones', 6);
    await apply('zones', []);
    await eventually('no node is left', async () => {
      const s = await status('zones');
      return s.desiredNumberScheduled === 0 && (await live('zones')).length === 0;
    }, 20_000);
    await kubectl.ok(['delete', 'ds', 'zones']);
  });

  it('surges with readiness delays and minReadySeconds while pods are deleted at random (e2e surge scenario)', async () => {
    const everywhere = tolerate('zone-y', 'zone-z', 'zone-common');
    const spec = (version: string) => ({
      minReadySeconds: 1,
      template: {
        metadata: { labels: { app: 'surge' } },
        spec: {
          tolerations: everywhere,
          containers: [{ name: 'app', image: 'httpd:2.4', env: [{ name: 'VERSION', value: version }], readinessProbe: { exec: { command: ['true'] }, initialDelaySeconds: 1, periodSeconds: 3 } }],
        },
      },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '20%' } },
    });
    await apply('surge', everywhere, spec('1'));
    await settled('surge', 6);
    await eventually('all available', async () => (await status('surge')).numberAvailable === 6);
    const watcher = trackAvailability(cluster.kubemu.registry, 'default', 'surge', Object.values(ZONES).flat());
    await apply('surge', everywhere, spec('2'));
    // Chaos: delete a random pod now and then while the rollout runs.
    let deleted = 0;
    for (let i = 0; i < 3; i++) {
      await new Promise((resolve) => setTimeout(resolve, 700));
      const pods = await live('surge');
      const victim = pods[Math.floor(Math.random() * pods.length)];
      if (victim) {
        await kubectl.run(['delete', 'pod', victim.metadata.name, '--wait=false']);
        deleted++;
      }
    }
    await eventually('every node runs version 2, available', async () => {
      const pods = await live('surge');
      const s = await status('surge');
      return pods.length === 6 && pods.every((p) => p.spec.containers[0]?.env?.[0]?.value === '2') && s.numberAvailable === 6 && s.updatedNumberScheduled === 6;
    }, 30_000);
    watcher.stop();
    expect(deleted).toBe(3);
    // Never more than one old and one new pod alive on a node, never more surge pods than the budget (20 % of 6 → 2).
    expect(watcher.worstPodsPerNode).toBeLessThanOrEqual(2);
    expect(watcher.mostPodsAlive).toBeLessThanOrEqual(6 + 2);
    const nodes = (await live('surge')).map((p) => p.spec.nodeName).sort();
    expect(new Set(nodes).size).toBe(6);
    // Two revisions; the current one is revision 2 and every pod carries its hash.
    const revisions = await json<{ items: { metadata: { name: string }; revision: number }[] }>(['get', 'controllerrevisions', '-l', 'app=surge']);
    expect(revisions.items.map((r) => r.revision).sort()).toEqual([1, 2]);
    const current = revisions.items.find((r) => r.revision === 2)?.metadata.name;
    expect((await live('surge')).every((p) => `surge-${p.metadata.labels?.['controller-revision-hash']}` === current)).toBe(true);
    await kubectl.ok(['delete', 'ds', 'surge']);
  });

  it('manages the lifecycle of a ControllerRevision (e2e conformance)', async () => {
    await apply('revs', tolerate('zone-common'));
    await settled('revs', 2);
    expect(await kubectl.ok(['get', 'ds', '-l', 'app=revs', '-o', 'name'])).toBe('daemonset.apps/revs\n');
    const ds = await json<{ metadata: { uid: string } }>(['get', 'ds', 'revs']);
    const revisions = await json<{ items: { metadata: { name: string; ownerReferences: { kind: string; uid: string }[]; labels: Record<string, string> }; data: unknown; revision: number }[] }>(['get', 'controllerrevisions', '-l', 'app=revs']);
    const initial = revisions.items.find((r) => r.metadata.ownerReferences[0]?.kind === 'DaemonSet' && r.metadata.ownerReferences[0]?.uid === ds.metadata.uid);
    expect(initial?.metadata.labels['controller-revision-hash']).toBeTruthy();
    expect(await kubectl.ok(['get', 'controllerrevisions'])).toMatch(new RegExp(`^${initial?.metadata.name}\\s+daemonset\\.apps/revs\\s+1\\s`, 'm'));
    expect(await kubectl.ok(['describe', 'controllerrevisions', initial?.metadata.name as string])).toMatch(/Revision:\s+1/);
    const name = initial?.metadata.name as string;
    await kubectl.ok(['patch', 'controllerrevision', name, '-p', JSON.stringify({ metadata: { labels: { [name]: 'patched' } } })]);
    await kubectl.ok(['annotate', 'controllerrevision', name, 'updated=true']);
    expect(await kubectl.ok(['get', 'controllerrevision', name, '-o', `jsonpath={.metadata.labels.${name}} {.metadata.annotations.updated}`])).toBe('patched true');
    const copy = `${name}-copy`;
    await kubectl.ok(['create', '-f', '-'], {
      stdin: JSON.stringify({ apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name: copy, labels: initial?.metadata.labels, ownerReferences: initial?.metadata.ownerReferences }, data: initial?.data, revision: 2 }),
    });
    // The controller may already have removed it as a duplicate of the newer copy (same data).
    await kubectl.ok(['delete', 'controllerrevision', name, '--ignore-not-found']);
    // The DaemonSet keeps working from the copy; a template change makes a new revision.
    await apply('revs', tolerate('zone-common', 'zone-y'));
    await settled('revs', 4);
    const after = (await kubectl.ok(['get', 'controllerrevisions', '-l', 'app=revs', '-o', 'name'])).trim().split('\n');
    expect(after).toHaveLength(2);
    expect(after).toContain(`controllerrevision.apps/${copy}`);
    // The new revision is named from the new template's hash, which the pods carry.
    const hash = (await live('revs'))[0]?.metadata.labels?.['controller-revision-hash'];
    expect(after).toContain(`controllerrevision.apps/revs-${hash}`);
    await cluster.http().delete('/apis/apps/v1/namespaces/default/controllerrevisions?labelSelector=app%3Drevs&gracePeriodSeconds=1').expect(200);
    await eventually('the controller makes its current revision again', async () => (await kubectl.ok(['get', 'controllerrevisions', '-l', 'app=revs', '-o', 'name'])).trim().split('\n').filter(Boolean).length === 1);
    await kubectl.ok(['delete', 'ds', 'revs']);
  });
});
