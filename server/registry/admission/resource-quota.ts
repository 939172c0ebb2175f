/**
 * @module server/registry/admission/resource-quota
 * Layer: registry (admission). ResourceQuota: a create is refused (403) when it would take any quota in its
 * namespace over `status.hard`, with upstream's messages (`exceeded quota: …`, `failed quota: …: must specify
 * …`, `status unknown for quota: …`). Usage is counted from what is stored plus the creates still in flight,
 * so concurrent creates can never overshoot a quota; the quota controller publishes the totals in `status.used`.
 */
import type { ResourceQuota } from 'kubernetes-types/core/v1.js';
import type { Kube, KubeObject } from '../../api/object.js';
import { formatQuantity, parseQuantity } from '../../api/quantity.js';
import { chargesTarget, missingPodConstraints, scopesSelect, totalUsage, usageOf, type QuotaTarget, type Usage } from '../../api/quota.js';
import { errors } from '../../api/status.js';
import type { AdmissionPlugin, AdmissionReader, AdmissionRequest } from './types.js';

type QuotaObject = Kube<ResourceQuota>;

/** Objects admitted but not yet stored, per `<group>/<plural>/<namespace>`. */
type InFlight = Map<string, Set<KubeObject>>;

const pretty = (names: readonly string[], values: (name: string) => string) => names.map((name) => `${name}=${values(name)}`).join(',');

function quantityOf(usage: Usage, name: string, binary: Set<string>): string {
  return formatQuantity(usage.get(name) ?? 0n, binary.has(name));
}

/** Every stored object of the kind in the namespace, and the creates in flight not stored yet. */
function chargedObjects(target: QuotaTarget, namespace: string, reader: AdmissionReader, inFlight: InFlight): KubeObject[] {
  const stored = reader.list(reader.resource(target.group, target.plural), namespace).map(({ object }) => object);
  const storedNames = new Set(stored.map((object) => object.metadata.name));
  const pending = [...(inFlight.get(`${target.group}/${target.plural}/${namespace}`) ?? [])].filter((object) => !storedNames.has(object.metadata.name));
  return [...stored, ...pending];
}

function check(quota: QuotaObject, request: AdmissionRequest, object: KubeObject, reader: AdmissionReader, inFlight: InFlight): void {
  const target = { group: request.resource.group, plural: request.resource.plural };
  const hard = (quota.status?.hard ?? {}) as Record<string, string>;
  const restricted = Object.keys(hard).filter((name) => chargesTarget(name, target)).sort();
  if (restricted.length === 0 || !scopesSelect(quota, target, object)) return;
  const quotaName = quota.metadata.name as string;
  const forbid = (why: string) => errors.forbidden(request.resource.groupResource, object.metadata.name ?? request.name, why);
  if (target.group === '' && target.plural === 'pods') {
    const missing = missingPodConstraints(object as Parameters<typeof missingPodConstraints>[0], restricted);
    if (missing) throw forbid(`failed quota: ${quotaName}: ${missing}`);
  }
  const statusUsed = (quota.status?.used ?? {}) as Record<string, string>;
  const unknown = restricted.filter((name) => !(name in statusUsed));
  if (unknown.length > 0) throw forbid(`status unknown for quota: ${quotaName}, resources: ${unknown.join(',')}`);
  const now = request.now.getTime();
  const requested = usageOf(target, object, now);
  const charged = restricted.filter((name) => (requested.values.get(name) ?? 0n) !== 0n);
  if (charged.length === 0) return;
  const { values: used, binary } = totalUsage(quota, target, chargedObjects(target, request.namespace as string, reader, inFlight), charged, now);
  const limits = new Map(charged.map((name) => [name, parseHard(hard[name])]));
  const exceeded = charged.filter((name) => (used.get(name) ?? 0n) + (requested.values.get(name) ?? 0n) > (limits.get(name) ?? 0n));
  if (exceeded.length === 0) return;
  throw forbid(
    `exceeded quota: ${quotaName}, requested: ${pretty(exceeded, (n) => quantityOf(requested.values, n, requested.binary))}, ` +
      `used: ${pretty(exceeded, (n) => quantityOf(used, n, binary))}, limited: ${pretty(exceeded, (n) => String(hard[n]))}`,
  );
}

function parseHard(text: string | undefined): bigint {
  return text === undefined ? 0n : (parseQuantity(text) ?? 0n);
}

/** One plugin per registry: the creates in flight belong to that registry's store. */
export function resourceQuotaAdmission(): AdmissionPlugin {
  const inFlight: InFlight = new Map();
  return {
    name: 'ResourceQuota',
    validate(request, reader) {
      const { object, namespace, resource } = request;
      if (request.operation !== 'CREATE' || request.subresource || !namespace || !object || !resource.namespaced) return;
      const quotas = reader.list(reader.resource('', 'resourcequotas'), namespace);
      if (quotas.length === 0) return;
      for (const { object: quota } of quotas) check(quota as QuotaObject, request, object, reader, inFlight);
      if (request.dryRun) return;
      const key = `${resource.group}/${resource.plural}/${namespace}`;
      const pending = inFlight.get(key) ?? new Set<KubeObject>();
      inFlight.set(key, pending);
      pending.add(object);
      return () => {
        pending.delete(object);
        if (pending.size === 0 && inFlight.get(key) === pending) inFlight.delete(key);
      };
    },
  };
}
