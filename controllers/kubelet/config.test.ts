import { describe, expect, it } from 'vitest';
import { nodeIp, podCidr, PodIpPool, SlotAllocator, slotOfCidr } from './addresses.js';
import { imageMatches, kubeletConfig } from './config.js';

describe('kubelet configuration', () => {
  it('defaults to --nodes nodes of the default pool, realistic timings', () => {
    const config = kubeletConfig({ nodes: 2 });
    expect(config.pools).toEqual([{ namePrefix: 'node-', count: 2, labels: {}, taints: [], capacity: { cpu: '8', memory: '32Gi', pods: '110', 'ephemeral-storage': '100Gi' }, os: 'linux', arch: 'amd64' }]);
    expect(config.timings.containerCreating).toBe(1000);
    expect(kubeletConfig({ speed: 'fast' }).timings.containerCreating).toBe(0);
  });

  it('reads node pools, timings and rules', () => {
    const config = kubeletConfig({
      file: {
        nodePools: [{ namePrefix: 'gpu-', count: 2, capacity: { 'nvidia.com/gpu': 4 }, taints: [{ key: 'nvidia.com/gpu', effect: 'NoSchedule' }] }],
        podLifecycle: { speed: 'fast', timings: { runToCompletion: '2s' }, rules: [{ image: 'ghcr.io/acme/*', behavior: 'CrashLoopBackOff' }] },
      },
    });
    expect(config.pools[0]).toMatchObject({ namePrefix: 'gpu-', count: 2, capacity: { cpu: '8', 'nvidia.com/gpu': '4' }, taints: [{ key: 'nvidia.com/gpu', effect: 'NoSchedule' }] });
    expect(config.timings.runToCompletion).toBe(2000);
    expect(config.rules[0]).toEqual({ image: 'ghcr.io/acme/*', behavior: 'CrashLoopBackOff' });
  });

  it.each([
    [{ nodePools: {} }, 'nodePools must be a list'],
    [{ nodePools: [{ count: -1 }] }, 'nodePools[0].count must be a whole number from 0 to 100000'],
    [{ nodePools: [{ capacity: { cpu: 'lots' } }] }, 'nodePools[0].capacity.cpu must be a quantity such as "8" or "32Gi", got "lots"'],
    [{ nodePools: [{}, {}] }, 'nodePools[1].namePrefix "node-" is used by another pool'],
    [{ podLifecycle: { timings: { forever: '1s' } } }, 'unknown field "podLifecycle.timings.forever"'],
    [{ podLifecycle: { rules: [{ image: 'x', behavior: 'Explode' }] } }, 'podLifecycle.rules[0].behavior must be one of'],
    [{ nodes: 3 }, 'unknown field "nodes"'],
  ])('rejects %j with a message naming the field', (file, message) => {
    expect(() => kubeletConfig({ file })).toThrow(message);
  });

  it('matches image globs', () => {
    expect(imageMatches('*:non-existent', 'foo:non-existent')).toBe(true);
    expect(imageMatches('*:non-existent', 'foo:1')).toBe(false);
    expect(imageMatches('registry.io/a.b/*', 'registry.io/a.b/c:1')).toBe(true);
  });
});

describe('addresses', () => {
  it('gives each node slot an IP and a /24, and pods distinct IPs', () => {
    expect(nodeIp(0)).toBe('172.18.0.2');
    expect(nodeIp(300)).toBe('172.18.1.46');
    expect(podCidr(257)).toBe('10.65.1.0/24');
    expect(slotOfCidr('10.65.1.0/24')).toBe(257);
    expect(slotOfCidr('192.168.0.0/24')).toBeUndefined();
    const slots = new SlotAllocator();
    slots.claim(0);
    expect(slots.allocate()).toBe(1);
    const pool = new PodIpPool('10.64.0.0/24');
    pool.claim('10.64.0.2');
    const ips = new Set(Array.from({ length: 252 }, () => pool.allocate()));
    expect(ips.size).toBe(252);
    expect(ips.has('10.64.0.2')).toBe(false);
    expect(pool.allocate()).toBeUndefined();
  });
});
