/**
 * @module server/registry/resources/pod-spec
 * Layer: registry. PodSpec defaulting and validation shared by Pods and every pod template (Deployment,
 * ReplicaSet, DaemonSet, StatefulSet, Job, CronJob, ReplicationController): upstream's SetDefaults_PodSpec,
 * SetDefaults_Container, … and ValidatePodSpec, for the fields kubemu acts on.
 */
import type { Container, PodSpec, PodTemplateSpec, Probe, Volume } from 'kubernetes-types/core/v1.js';
import { field, type FieldError } from '../../api/field-errors.js';
import { isConfigMapKey, isDNS1123Label, isDNS1123Subdomain, isEnvVarName, isValidPortName, isValidPortNum } from '../../api/names.js';
import { parseQuantity } from '../../api/quantity.js';
import { validateAnnotations, validateLabels } from '../validation/object-meta.js';

const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const TOLERATION_OPERATORS = ['Exists', 'Equal'];
const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

/** `Always` for `:latest` or an untagged image, `IfNotPresent` otherwise (digests included). */
export function defaultPullPolicy(image: string | undefined): string {
  if (!image) return 'IfNotPresent';
  if (image.includes('@')) return 'IfNotPresent';
  const lastSegment = image.slice(image.lastIndexOf('/') + 1);
  const colon = lastSegment.lastIndexOf(':');
  const tag = colon < 0 ? 'latest' : lastSegment.slice(colon + 1);
  return tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultProbe(probe: Probe | undefined): void {
  if (!probe) return;
  probe.timeoutSeconds ??= 1;
  probe.periodSeconds ??= 10;
  probe.successThreshold ??= 1;
  probe.failureThreshold ??= 3;
  if (probe.httpGet) {
    probe.httpGet.path ??= '/';
    probe.httpGet.scheme ??= 'HTTP';
  }
  if (probe.grpc) probe.grpc.service ??= '';
}

function defaultContainer(container: Container, spec: PodSpec, isPod: boolean): void {
  container.imagePullPolicy ??= defaultPullPolicy(container.image);
  container.terminationMessagePath ??= '/dev/termination-log';
  container.terminationMessagePolicy ??= 'File';
  container.resources ??= {};
  for (const port of container.ports ?? []) {
    port.protocol ??= 'TCP';
    if (isPod && spec.hostNetwork && port.hostPort === undefined) port.hostPort = port.containerPort;
  }
  for (const env of container.env ?? []) {
    if (env.valueFrom?.fieldRef) env.valueFrom.fieldRef.apiVersion ??= 'v1';
  }
  defaultProbe(container.livenessProbe);
  defaultProbe(container.readinessProbe);
  defaultProbe(container.startupProbe);
  for (const handler of [container.lifecycle?.postStart, container.lifecycle?.preStop]) {
    if (handler?.httpGet) {
      handler.httpGet.path ??= '/';
      handler.httpGet.scheme ??= 'HTTP';
    }
  }
  if (isPod) {
    // Pods only: a limit without a request is also the request.
    const limits = container.resources.limits ?? {};
    if (Object.keys(limits).length > 0) {
      container.resources.requests ??= {};
      for (const [name, value] of Object.entries(limits)) container.resources.requests[name] ??= value;
    }
  }
}

const VOLUME_SOURCES = [
  'hostPath', 'emptyDir', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'secret', 'nfs', 'iscsi', 'glusterfs',
  'persistentVolumeClaim', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'downwardAPI', 'fc', 'azureFile',
  'configMap', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'projected', 'portworxVolume',
  'scaleIO', 'storageos', 'csi', 'ephemeral', 'image',
] as const;

function defaultVolume(volume: Volume): void {
  const record = volume as unknown as Record<string, unknown>;
  if (!VOLUME_SOURCES.some((source) => record[source] !== undefined)) volume.emptyDir = {};
  if (volume.secret) volume.secret.defaultMode ??= 420;
  if (volume.configMap) volume.configMap.defaultMode ??= 420;
  if (volume.projected) volume.projected.defaultMode ??= 420;
  if (volume.hostPath) volume.hostPath.type ??= '';
  if (volume.downwardAPI) {
    volume.downwardAPI.defaultMode ??= 420;
    for (const item of volume.downwardAPI.items ?? []) if (item.fieldRef) item.fieldRef.apiVersion ??= 'v1';
  }
  for (const source of volume.projected?.sources ?? []) {
    if (source.serviceAccountToken) source.serviceAccountToken.expirationSeconds ??= 3600;
    for (const item of source.downwardAPI?.items ?? []) if (item.fieldRef) item.fieldRef.apiVersion ??= 'v1';
  }
  if (volume.persistentVolumeClaim === undefined && volume.ephemeral?.volumeClaimTemplate?.spec) {
    volume.ephemeral.volumeClaimTemplate.spec.volumeMode ??= 'Filesystem';
  }
}

/** SetDefaults for a PodSpec; `isPod` adds the defaults upstream applies to Pods but not to templates. */
export function defaultPodSpec(spec: PodSpec | undefined, isPod: boolean): void {
  if (!spec) return;
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.restartPolicy ??= 'Always';
  spec.securityContext ??= {};
  spec.terminationGracePeriodSeconds ??= 30;
  spec.schedulerName ??= 'default-scheduler';
  if (isPod) spec.enableServiceLinks ??= true;
  for (const container of spec.containers ?? []) defaultContainer(container, spec, isPod);
  for (const container of spec.initContainers ?? []) defaultContainer(container, spec, isPod);
  for (const container of spec.ephemeralContainers ?? []) defaultContainer(container as Container, spec, isPod);
  for (const volume of spec.volumes ?? []) defaultVolume(volume);
  for (const secret of spec.imagePullSecrets ?? []) secret.name ??= '';
}

/** Defaults of an embedded pod template (1.30 prints `creationTimestamp: null` in template metadata). */
export function defaultPodTemplate(template: PodTemplateSpec | undefined): void {
  if (!template) return;
  const meta = (template.metadata ??= {}) as Record<string, unknown>;
  if (!('creationTimestamp' in meta)) meta.creationTimestamp = null;
  defaultPodSpec(template.spec, false);
}

// ---------------------------------------------------------------- validation

function validateContainers(containers: Container[] | undefined, path: string, names: Set<string>, volumes: Set<string>, required: boolean): FieldError[] {
  const errors: FieldError[] = [];
  if ((containers ?? []).length === 0) {
    if (required) errors.push(field.required(path));
    return errors;
  }
  (containers ?? []).forEach((container, i) => {
    const at = `${path}[${i}]`;
    if (!container.name) errors.push(field.required(`${at}.name`));
    else {
      for (const message of isDNS1123Label(container.name)) errors.push(field.invalid(`${at}.name`, container.name, message));
      if (names.has(container.name)) errors.push(field.duplicate(`${at}.name`, container.name));
      names.add(container.name);
    }
    if (!container.image) errors.push(field.required(`${at}.image`));
    else if (container.image.trim() !== container.image) errors.push(field.invalid(`${at}.image`, container.image, 'must not have leading or trailing whitespace'));
    if (container.imagePullPolicy && !PULL_POLICIES.includes(container.imagePullPolicy)) {
      errors.push(field.notSupported(`${at}.imagePullPolicy`, container.imagePullPolicy, PULL_POLICIES));
    }
    const portNames = new Set<string>();
    (container.ports ?? []).forEach((port, j) => {
      const p = `${at}.ports[${j}]`;
      if (!port.containerPort) errors.push(field.required(`${p}.containerPort`));
      else for (const message of isValidPortNum(port.containerPort)) errors.push(field.invalid(`${p}.containerPort`, port.containerPort, message));
      if (port.hostPort) for (const message of isValidPortNum(port.hostPort)) errors.push(field.invalid(`${p}.hostPort`, port.hostPort, message));
      if (port.name) {
        for (const message of isValidPortName(port.name)) errors.push(field.invalid(`${p}.name`, port.name, message));
        if (portNames.has(port.name)) errors.push(field.duplicate(`${p}.name`, port.name));
        portNames.add(port.name);
      }
      if (port.protocol && !PROTOCOLS.includes(port.protocol)) errors.push(field.notSupported(`${p}.protocol`, port.protocol, PROTOCOLS));
    });
    (container.env ?? []).forEach((env, k) => {
      const p = `${at}.env[${k}]`;
      if (!env.name) errors.push(field.required(`${p}.name`));
      else for (const message of isEnvVarName(env.name)) errors.push(field.invalid(`${p}.name`, env.name, message));
      if (env.valueFrom) {
        const sources = ['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef'].filter((s) => (env.valueFrom as Record<string, unknown>)[s] !== undefined);
        if (sources.length === 0) errors.push(field.invalid(`${p}.valueFrom`, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
        if (env.value) errors.push(field.invalid(`${p}.valueFrom`, '', 'may not be specified when `value` is not empty'));
      }
    });
    (container.volumeMounts ?? []).forEach((mount, k) => {
      const p = `${at}.volumeMounts[${k}]`;
      if (!mount.name) errors.push(field.required(`${p}.name`));
      else if (!volumes.has(mount.name)) errors.push(field.notFound(`${p}.name`, mount.name));
      if (!mount.mountPath) errors.push(field.required(`${p}.mountPath`));
    });
    const limits = container.resources?.limits ?? {};
    for (const [resource, request] of Object.entries(container.resources?.requests ?? {})) {
      const requested = parseQuantity(request);
      if (requested === undefined) {
        errors.push(field.invalid(`${at}.resources.requests[${resource}]`, request, 'quantities must match the regular expression \'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$\''));
        continue;
      }
      const limit = limits[resource];
      const limited = limit === undefined ? undefined : parseQuantity(limit);
      if (limited !== undefined && requested > limited) {
        errors.push(field.invalid(`${at}.resources.requests`, String(request), `must be less than or equal to ${resource} limit of ${String(limit)}`));
      }
    }
    for (const [resource, limit] of Object.entries(limits)) {
      if (parseQuantity(limit) === undefined) {
        errors.push(field.invalid(`${at}.resources.limits[${resource}]`, limit, 'quantities must match the regular expression \'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$\''));
      }
    }
  });
  return errors;
}

export interface PodSpecRules {
  /** restart policies allowed (templates of controllers narrow this) */
  restartPolicies?: readonly string[];
  isPod?: boolean;
  /** volumes the controller adds to every pod (a StatefulSet's claim templates): mounts may name them */
  addedVolumes?: readonly string[];
}

export function validatePodSpec(spec: PodSpec | undefined, path: string, rules: PodSpecRules = {}): FieldError[] {
  const errors: FieldError[] = [];
  if (!spec) return [field.required(path)];
  const volumes = new Set<string>();
  (spec.volumes ?? []).forEach((volume, i) => {
    const at = `${path}.volumes[${i}]`;
    if (!volume.name) errors.push(field.required(`${at}.name`));
    else {
      for (const message of isDNS1123Label(volume.name)) errors.push(field.invalid(`${at}.name`, volume.name, message));
      if (volumes.has(volume.name)) errors.push(field.duplicate(`${at}.name`, volume.name));
      volumes.add(volume.name);
    }
    for (const item of [...(volume.configMap?.items ?? []), ...(volume.secret?.items ?? [])]) {
      for (const message of isConfigMapKey(item.key)) errors.push(field.invalid(`${at}.items.key`, item.key, message));
    }
  });
  for (const name of rules.addedVolumes ?? []) volumes.add(name);
  const names = new Set<string>();
  for (const problem of validateContainers(spec.containers, `${path}.containers`, names, volumes, true)) errors.push(problem);
  for (const problem of validateContainers(spec.initContainers, `${path}.initContainers`, names, volumes, false)) errors.push(problem);
  if (rules.isPod && (spec.ephemeralContainers ?? []).length > 0) errors.push(field.forbidden(`${path}.ephemeralContainers`, 'cannot be set on create'));
  const restartPolicies = rules.restartPolicies ?? RESTART_POLICIES;
  if (!spec.restartPolicy) errors.push(field.required(`${path}.restartPolicy`));
  else if (!restartPolicies.includes(spec.restartPolicy)) errors.push(field.notSupported(`${path}.restartPolicy`, spec.restartPolicy, restartPolicies));
  if (!spec.dnsPolicy) errors.push(field.required(`${path}.dnsPolicy`));
  else if (!DNS_POLICIES.includes(spec.dnsPolicy)) errors.push(field.notSupported(`${path}.dnsPolicy`, spec.dnsPolicy, DNS_POLICIES));
  for (const problem of validateLabels(spec.nodeSelector, `${path}.nodeSelector`)) errors.push(problem);
  if (spec.serviceAccountName) for (const message of isDNS1123Subdomain(spec.serviceAccountName)) errors.push(field.invalid(`${path}.serviceAccountName`, spec.serviceAccountName, message));
  if (spec.nodeName) for (const message of isDNS1123Subdomain(spec.nodeName)) errors.push(field.invalid(`${path}.nodeName`, spec.nodeName, message));
  if (spec.activeDeadlineSeconds !== undefined && (spec.activeDeadlineSeconds < 1 || spec.activeDeadlineSeconds > 2147483647)) {
    errors.push(field.invalid(`${path}.activeDeadlineSeconds`, spec.activeDeadlineSeconds, 'must be between 1 and 2147483647, inclusive'));
  }
  if (spec.terminationGracePeriodSeconds !== undefined && spec.terminationGracePeriodSeconds < 0 && spec.terminationGracePeriodSeconds !== -1) {
    errors.push(field.invalid(`${path}.terminationGracePeriodSeconds`, spec.terminationGracePeriodSeconds, 'must be greater than or equal to 0'));
  }
  for (const key of ['hostname', 'subdomain'] as const) {
    const value = spec[key];
    if (value) for (const message of isDNS1123Label(value)) errors.push(field.invalid(`${path}.${key}`, value, message));
  }
  (spec.tolerations ?? []).forEach((toleration, i) => {
    const at = `${path}.tolerations[${i}]`;
    if (toleration.operator && !TOLERATION_OPERATORS.includes(toleration.operator)) errors.push(field.notSupported(`${at}.operator`, toleration.operator, TOLERATION_OPERATORS));
    if (!toleration.key && toleration.operator !== 'Exists') {
      errors.push(field.invalid(`${at}.operator`, toleration.operator ?? '', 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (toleration.operator === 'Exists' && toleration.value) errors.push(field.invalid(`${at}.operator`, toleration.value, 'value must be empty when `operator` is \'Exists\''));
    if (toleration.effect && !TAINT_EFFECTS.includes(toleration.effect)) errors.push(field.notSupported(`${at}.effect`, toleration.effect, TAINT_EFFECTS));
    if (toleration.tolerationSeconds !== undefined && toleration.effect !== 'NoExecute') {
      errors.push(field.invalid(`${at}.effect`, toleration.effect ?? '', 'effect must be \'NoExecute\' when `tolerationSeconds` is set'));
    }
  });
  return errors;
}

/** A template: labels/annotations of its metadata, then its pod spec. */
export function validatePodTemplate(template: PodTemplateSpec | undefined, path: string, rules: PodSpecRules = {}): FieldError[] {
  if (!template) return [field.required(path)];
  return [
    ...validateLabels(template.metadata?.labels, `${path}.metadata.labels`),
    ...validateAnnotations(template.metadata?.annotations, `${path}.metadata.annotations`),
    ...validatePodSpec(template.spec, `${path}.spec`, rules),
  ];
}

/** kubectl's CONTAINERS and IMAGES cells of a template. */
export function containerCells(spec: PodSpec | undefined): [string, string] {
  const containers = spec?.containers ?? [];
  return [containers.map((c) => c.name).join(','), containers.map((c) => c.image ?? '').join(',')];
}
