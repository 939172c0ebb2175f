import type { Pod, ResourceQuota } from 'kubernetes-types/core/v1.js';
import { describe, expect, it } from 'vitest';
import type { Kube } from './object.js';
import { formatQuantity } from './quantity.js';
import { chargesTarget, missingPodConstraints, scopesSelect, targetOfName, usageOf } from './quota.js';

const PODS = { group: '', plural: 'pods' };
const DEPLOYMENTS = { group: 'apps', plural: 'deployments' };

function pod(spec: Partial<NonNullable<Pod['spec']>> = {}, extra: Partial<Kube<Pod>> = {}): Kube<Pod> {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns' }, spec: { containers: [{ name: 'c', image: 'i' }], ...spec }, ...extra } as Kube<Pod>;
}

const quota = (spec: ResourceQuota['spec']): Kube<ResourceQuota> => ({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: 'ns' }, spec });

const shown = (usage: ReturnType<typeof usageOf>) => Object.fromEntries([...usage.values].map(([name, milli]) => [name, formatQuantity(milli, usage.binary.has(name))]));

describe('quota usage', () => {
  it('charges a pod its count and its requests and limits (containers summed, init containers as a floor)', () => {
    const usage = usageOf(
      PODS,
      pod({
        containers: [
          { name: 'a', image: 'i', resources: { requests: { cpu: '250m', memory: '128Mi' }, limits: { cpu: '1' } } },
          { name: 'b', image: 'i', resources: { requests: { cpu: '250m', memory: '128Mi', 'example.com/gpu': '1' } } },
        ],
        initContainers: [{ name: 'init', image: 'i', resources: { requests: { cpu: '2' } } }],
      }),
      0,
    );
    expect(shown(usage)).toEqual({
      'count/pods': '1',
      pods: '1',
      cpu: '2',
      'requests.cpu': '2',
      memory: '256Mi',
      'requests.memory': '256Mi',
      'limits.cpu': '1',
      'requests.example.com/gpu': '1',
    });
  });

  it('stops charging compute for finished pods and pods stuck past their grace period, but still counts them', () => {
    expect(shown(usageOf(PODS, pod({}, { status: { phase: 'Succeeded' } }), 0))).toEqual({ 'count/pods': '1' });
    const terminating = pod({}, { metadata: { name: 'p', deletionTimestamp: '2026-01-01T00:00:00Z', deletionGracePeriodSeconds: 30 } });
    expect(usageOf(PODS, terminating, Date.parse('2026-01-01T00:00:10Z')).values.has('pods')).toBe(true);
    expect(usageOf(PODS, terminating, Date.parse('2026-01-01T00:01:00Z')).values.has('pods')).toBe(false);
  });

  it('counts other kinds under count/<resource>.<group>, services by node ports and load balancers', () => {
    expect(shown(usageOf(DEPLOYMENTS, { metadata: { name: 'd' } }, 0))).toEqual({ 'count/deployments.apps': '1' });
    const service = { metadata: { name: 's' }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }, { port: 443 }] } };
    expect(shown(usageOf({ group: '', plural: 'services' }, service, 0))).toEqual({ 'count/services': '1', services: '1', 'services.loadbalancers': '1', 'services.nodeports': '2' });
  });

  it('maps each quota resource name to the one kind it charges', () => {
    expect(targetOfName('count/deployments.apps')).toEqual(DEPLOYMENTS);
    expect(targetOfName('requests.cpu')).toEqual(PODS);
    expect(targetOfName('requests.storage')).toEqual({ group: '', plural: 'persistentvolumeclaims' });
    expect(targetOfName('gold.storageclass.storage.k8s.io/requests.storage')).toEqual({ group: '', plural: 'persistentvolumeclaims' });
    expect(targetOfName('configmaps')).toEqual({ group: '', plural: 'configmaps' });
    expect(targetOfName('services.nodeports')).toEqual({ group: '', plural: 'services' });
    expect(targetOfName('nonsense')).toBeUndefined();
    expect(chargesTarget('requests.storage', PODS)).toBe(false);
    expect(chargesTarget('pods', DEPLOYMENTS)).toBe(false);
  });
});

describe('quota scopes', () => {
  it('selects pods by Terminating, BestEffort and PriorityClass, and no other kind once scoped', () => {
    const deadline = pod({ activeDeadlineSeconds: 60 });
    expect(scopesSelect(quota({ scopes: ['Terminating'] }), PODS, deadline)).toBe(true);
    expect(scopesSelect(quota({ scopes: ['NotTerminating'] }), PODS, deadline)).toBe(false);
    expect(scopesSelect(quota({ scopes: ['BestEffort'] }), PODS, pod())).toBe(true);
    const burstable = pod({ containers: [{ name: 'c', image: 'i', resources: { requests: { memory: '1Mi' } } }] });
    expect(scopesSelect(quota({ scopes: ['BestEffort'] }), PODS, burstable)).toBe(false);
    expect(scopesSelect(quota({ scopes: ['NotBestEffort'] }), PODS, burstable)).toBe(true);
    const high = pod({ priorityClassName: 'high' });
    const selector = (operator: string, values?: string[]) => quota({ scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator, ...(values && { values }) }] } });
    expect(scopesSelect(selector('In', ['high', 'medium']), PODS, high)).toBe(true);
    expect(scopesSelect(selector('NotIn', ['high']), PODS, high)).toBe(false);
    expect(scopesSelect(selector('Exists'), PODS, pod())).toBe(false);
    expect(scopesSelect(selector('DoesNotExist'), PODS, pod())).toBe(true);
    expect(scopesSelect(quota({ scopes: ['BestEffort'] }), DEPLOYMENTS, { metadata: { name: 'd' } })).toBe(false);
    expect(scopesSelect(quota({ hard: { pods: '1' } }), DEPLOYMENTS, { metadata: { name: 'd' } })).toBe(true);
  });

  it('makes every container state cpu and memory when a quota limits them, in upstream wording', () => {
    const twoContainers = pod({
      containers: [
        { name: 'web', image: 'i', resources: { requests: { cpu: '1' } } },
        { name: 'sidecar', image: 'i' },
      ],
    });
    expect(missingPodConstraints(twoContainers, ['pods', 'requests.cpu', 'limits.memory'])).toBe('must specify limits.memory for: sidecar,web; requests.cpu for: sidecar');
    expect(missingPodConstraints(twoContainers, ['pods', 'requests.ephemeral-storage'])).toBeUndefined();
  });
});

describe('formatQuantity', () => {
  it('prints sums as resource.Quantity does', () => {
    expect(formatQuantity(0n)).toBe('0');
    expect(formatQuantity(500n)).toBe('500m');
    expect(formatQuantity(1500n)).toBe('1500m');
    expect(formatQuantity(2000n)).toBe('2');
    expect(formatQuantity(2_000_000n)).toBe('2k');
    expect(formatQuantity(268_435_456_000n, true)).toBe('256Mi');
    expect(formatQuantity(1_500_000n, true)).toBe('1500');
    expect(formatQuantity(-3000n)).toBe('-3');
  });
});
