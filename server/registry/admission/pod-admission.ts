/**
 * @module server/registry/admission/pod-admission
 * Layer: registry (admission). The default-on plugins that shape every new Pod: ServiceAccount (the
 * account name, its token volume and mounts, its image pull secrets), Priority (priority from the class) and
 * DefaultTolerationSeconds (the not-ready / unreachable NoExecute tolerations).
 */
import type { Toleration } from 'kubernetes-types/core/v1.js';
import type { ServiceAccount } from 'kubernetes-types/core/v1.js';
import type { PriorityClass } from 'kubernetes-types/scheduling/v1.js';
import type { Kube, KubeObject } from '../../api/object.js';
import { errors } from '../../api/status.js';
import { randomSuffix } from '../names.js';
import type { AdmissionPlugin, AdmissionRequest } from './types.js';
import type { PodObject } from '../../api/kinds.js';

export const TOKEN_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';
export const NOT_READY_TAINT = 'node.kubernetes.io/not-ready';
export const UNREACHABLE_TAINT = 'node.kubernetes.io/unreachable';

function isPodCreate(request: AdmissionRequest): request is AdmissionRequest & { object: KubeObject } {
  return request.resource.group === '' && request.resource.plural === 'pods' && request.operation === 'CREATE' && !request.subresource && Boolean(request.object);
}

export const serviceAccountAdmission: AdmissionPlugin = {
  name: 'ServiceAccount',
  admit(request, reader) {
    if (!isPodCreate(request)) return;
    const pod = request.object as PodObject;
    const spec = pod.spec;
    if (!spec) return;
    spec.serviceAccountName ||= 'default';
    spec.serviceAccount = spec.serviceAccountName;
    const account = reader.get(reader.resource('', 'serviceaccounts'), request.namespace, spec.serviceAccountName)?.object as Kube<ServiceAccount> | undefined;
    // The default account is created with the namespace; any other must exist.
    if (!account && spec.serviceAccountName !== 'default') {
      throw errors.forbidden(
        request.resource.groupResource,
        request.name,
        `error looking up service account ${request.namespace}/${spec.serviceAccountName}: serviceaccount "${spec.serviceAccountName}" not found`,
      );
    }
    if ((spec.imagePullSecrets ?? []).length === 0 && account?.imagePullSecrets?.length) spec.imagePullSecrets = structuredClone(account.imagePullSecrets);
    const automount = spec.automountServiceAccountToken ?? account?.automountServiceAccountToken ?? true;
    if (!automount) return;
    if ((spec.volumes ?? []).some((v) => v.name.startsWith('kube-api-access-'))) return;
    const volumeName = `kube-api-access-${randomSuffix()}`;
    let mounted = false;
    for (const container of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
      if ((container.volumeMounts ?? []).some((m) => m.mountPath === TOKEN_MOUNT_PATH)) continue;
      container.volumeMounts = [...(container.volumeMounts ?? []), { name: volumeName, mountPath: TOKEN_MOUNT_PATH, readOnly: true }];
      mounted = true;
    }
    if (!mounted) return;
    spec.volumes = [
      ...(spec.volumes ?? []),
      {
        name: volumeName,
        projected: {
          defaultMode: 420,
          sources: [
            { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
            { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
            { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
          ],
        },
      },
    ];
  },
};

export const priorityAdmission: AdmissionPlugin = {
  name: 'Priority',
  admit(request, reader) {
    if (!isPodCreate(request)) return;
    const spec = (request.object as PodObject).spec;
    if (!spec) return;
    const classes = reader.resource('scheduling.k8s.io', 'priorityclasses');
    let priorityClass: Kube<PriorityClass> | undefined;
    if (spec.priorityClassName) {
      priorityClass = reader.get(classes, undefined, spec.priorityClassName)?.object as Kube<PriorityClass> | undefined;
      if (!priorityClass) throw errors.forbidden(request.resource.groupResource, request.name, `no PriorityClass with name ${spec.priorityClassName} was found`);
    } else {
      const defaults = reader.list(classes, undefined).map((s) => s.object as Kube<PriorityClass>).filter((pc) => pc.globalDefault);
      priorityClass = defaults.sort((a, b) => a.value - b.value)[0];
      if (priorityClass) spec.priorityClassName = priorityClass.metadata.name as string;
    }
    const priority = priorityClass?.value ?? 0;
    if (spec.priority !== undefined && spec.priority !== priority) {
      throw errors.forbidden(
        request.resource.groupResource,
        request.name,
        `the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${priority} from the given PriorityClass name`,
      );
    }
    spec.priority = priority;
    spec.preemptionPolicy ??= priorityClass?.preemptionPolicy ?? 'PreemptLowerPriority';
  },
};

function tolerates(tolerations: readonly Toleration[], key: string): boolean {
  return tolerations.some((t) => (!t.key || t.key === key) && (!t.effect || t.effect === 'NoExecute'));
}

export const defaultTolerationSeconds: AdmissionPlugin = {
  name: 'DefaultTolerationSeconds',
  admit(request) {
    if (!isPodCreate(request)) return;
    const spec = (request.object as PodObject).spec;
    if (!spec) return;
    const tolerations = [...(spec.tolerations ?? [])];
    for (const key of [NOT_READY_TAINT, UNREACHABLE_TAINT]) {
      if (!tolerates(tolerations, key)) tolerations.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 });
    }
    spec.tolerations = tolerations;
  },
};
