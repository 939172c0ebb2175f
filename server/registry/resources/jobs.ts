/**
 * @module server/registry/resources/jobs
 * Layer: registry (kind declarations). batch/v1 Job (defaults, the generated controller-uid selector and
 * labels, restart policy rules, immutable fields) and CronJob.
 */
import type { CronJob, Job } from 'kubernetes-types/batch/v1.js';
import { deepEqual } from '../../api/equality.js';
import { field, type FieldError } from '../../api/field-errors.js';
import { formatLabelSelector } from '../../api/labels.js';
import type { Kube } from '../../api/object.js';
import { ageSince, humanDuration } from '../../api/time.js';
import { defineResource } from '../resource.js';
import { ageColumn, nameColumn } from '../table.js';
import { age, nonNegative, startGeneration, validateSelectorAndTemplate } from './common.js';
import { containerCells, defaultPodTemplate, validatePodTemplate } from './pod-spec.js';

type JobObject = Kube<Job>;
type CronJobObject = Kube<CronJob>;
const BATCH = 'io.k8s.api.batch.v1';

export const JOB_LABELS = {
  controllerUid: 'batch.kubernetes.io/controller-uid',
  jobName: 'batch.kubernetes.io/job-name',
  legacyControllerUid: 'controller-uid',
  legacyJobName: 'job-name',
};

function defaults(job: JobObject): void {
  const spec = job.spec;
  if (!spec) return;
  if (spec.completions === undefined && spec.parallelism === undefined) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  spec.parallelism ??= 1;
  spec.backoffLimit ??= spec.backoffLimitPerIndex !== undefined ? 2147483647 : 6;
  spec.completionMode ??= 'NonIndexed';
  spec.suspend ??= false;
  spec.podReplacementPolicy ??= spec.podFailurePolicy ? 'Failed' : 'TerminatingOrFailed';
  spec.manualSelector ??= false;
  const templateLabels = spec.template?.metadata?.labels;
  if (templateLabels && Object.keys(job.metadata.labels ?? {}).length === 0) job.metadata.labels = { ...templateLabels };
  defaultPodTemplate(spec.template);
}

/** Without manualSelector the selector is generated from the Job's uid, and the template carries matching labels. */
function generateSelector(job: JobObject): void {
  const spec = job.spec;
  if (!spec || spec.manualSelector) return;
  const uid = job.metadata.uid as string;
  const template = (spec.template ??= { metadata: {} });
  const meta = (template.metadata ??= {});
  meta.labels = {
    [JOB_LABELS.controllerUid]: uid,
    [JOB_LABELS.jobName]: job.metadata.name as string,
    [JOB_LABELS.legacyControllerUid]: uid,
    [JOB_LABELS.legacyJobName]: job.metadata.name as string,
    ...(meta.labels ?? {}),
  };
  spec.selector = { matchLabels: { [JOB_LABELS.controllerUid]: uid } };
  if (Object.keys(job.metadata.labels ?? {}).length === 0) job.metadata.labels = { ...meta.labels };
}

function validate(job: JobObject): FieldError[] {
  const spec = job.spec;
  if (!spec) return [field.required('spec')];
  const errors = validateSelectorAndTemplate(spec.selector, spec.template?.metadata?.labels, 'job');
  const restartPolicy = spec.template?.spec?.restartPolicy;
  if (!restartPolicy || restartPolicy === 'Always') errors.push(field.required('spec.template.spec.restartPolicy', 'valid values: "OnFailure", "Never"'));
  for (const problem of validatePodTemplate(spec.template, 'spec.template', { restartPolicies: ['OnFailure', 'Never', 'Always'] })) errors.push(problem);
  for (const key of ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished'] as const) {
    for (const problem of nonNegative(spec[key], `spec.${key}`)) errors.push(problem);
  }
  return errors;
}

function validateUpdate(job: JobObject, old: JobObject): FieldError[] {
  const errors: FieldError[] = [];
  for (const key of ['completions', 'selector', 'completionMode', 'podFailurePolicy', 'backoffLimitPerIndex', 'managedBy', 'successPolicy'] as const) {
    if (!deepEqual(job.spec?.[key], old.spec?.[key])) errors.push(field.immutable(`spec.${key}`, job.spec?.[key]));
  }
  if (!old.spec?.suspend && !deepEqual(job.spec?.template, old.spec?.template)) errors.push(field.immutable('spec.template', job.spec?.template));
  return errors;
}

function jobStatus(job: JobObject): string {
  const conditions = job.status?.conditions ?? [];
  const has = (type: string) => conditions.find((c) => c.type === type)?.status === 'True';
  if (has('Complete')) return 'Complete';
  if (has('Failed')) return 'Failed';
  if (job.metadata.deletionTimestamp) return 'Terminating';
  if (has('Suspended')) return 'Suspended';
  if (has('FailureTarget')) return 'FailureTarget';
  return 'Running';
}

function completions(job: JobObject): string {
  const succeeded = job.status?.succeeded ?? 0;
  if (job.spec?.completions !== undefined) return `${succeeded}/${job.spec.completions}`;
  const parallelism = job.spec?.parallelism ?? 0;
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

function duration(job: JobObject, now: number): string {
  const start = job.status?.startTime;
  if (!start) return '';
  const end = job.status?.completionTime ? Date.parse(job.status.completionTime) : now;
  return humanDuration(end - Date.parse(start));
}

export const jobs = defineResource<JobObject>({
  group: 'batch',
  version: 'v1',
  kind: 'Job',
  plural: 'jobs',
  deletion: {
    defaultPropagation: 'Orphan',
    defaultPropagationWarning:
      'child pods are preserved by default when jobs are deleted; set propagationPolicy=Background to remove them or set propagationPolicy=Orphan to suppress this warning',
  },
  singular: 'job',
  namespaced: true,
  categories: ['all'],
  status: true,
  strategy: {
    defaults,
    prepareForCreate(job) {
      startGeneration(job);
      generateSelector(job);
      job.status = {};
    },
    validate,
    validateUpdate,
  },
  fieldSelectors: { 'status.successful': (job) => String(job.status?.succeeded ?? 0) },
  table: {
    columns: [
      nameColumn,
      { name: 'Status', type: 'string', description: 'Status of the job.' },
      { name: 'Completions', type: 'string', description: [`${BATCH}.JobStatus`, 'succeeded'] },
      { name: 'Duration', type: 'string', description: 'Time required to complete the job.' },
      ageColumn,
      { name: 'Containers', type: 'string', priority: 1, description: 'Names of each container in the template.' },
      { name: 'Images', type: 'string', priority: 1, description: 'Images referenced by each container in the template.' },
      { name: 'Selector', type: 'string', priority: 1, description: [`${BATCH}.JobSpec`, 'selector'] },
    ],
    cells: (job, now) => [
      job.metadata.name ?? '',
      jobStatus(job),
      completions(job),
      duration(job, now),
      age(job, now),
      ...containerCells(job.spec?.template?.spec),
      formatLabelSelector(job.spec?.selector),
    ],
  },
});

const CONCURRENCY = ['Allow', 'Forbid', 'Replace'];

export const cronjobs = defineResource<CronJobObject>({
  group: 'batch',
  version: 'v1',
  kind: 'CronJob',
  plural: 'cronjobs',
  singular: 'cronjob',
  namespaced: true,
  shortNames: ['cj'],
  categories: ['all'],
  status: true,
  strategy: {
    defaults(cronjob) {
      const spec = cronjob.spec;
      if (!spec) return;
      spec.concurrencyPolicy ??= 'Allow';
      spec.suspend ??= false;
      spec.successfulJobsHistoryLimit ??= 3;
      spec.failedJobsHistoryLimit ??= 1;
      const template = spec.jobTemplate as unknown as { metadata?: Record<string, unknown>; spec?: Job['spec'] } | undefined;
      if (template) {
        template.metadata ??= {};
        if (!('creationTimestamp' in template.metadata)) template.metadata.creationTimestamp = null;
        defaultPodTemplate(template.spec?.template);
      }
    },
    prepareForCreate(cronjob) {
      startGeneration(cronjob);
      cronjob.status = {};
    },
    validate(cronjob) {
      const spec = cronjob.spec;
      if (!spec) return [field.required('spec')];
      const errors: FieldError[] = [];
      if ((cronjob.metadata.name ?? '').length > 52) errors.push(field.invalid('metadata.name', cronjob.metadata.name, 'must be no more than 52 characters'));
      if (!spec.schedule) errors.push(field.required('spec.schedule'));
      else if (/(^|\s)(CRON_)?TZ=/.test(spec.schedule)) errors.push(field.invalid('spec.schedule', spec.schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'));
      else if (spec.schedule.trim().split(/\s+/).length !== 5 && !spec.schedule.startsWith('@')) {
        errors.push(field.invalid('spec.schedule', spec.schedule, `expected exactly 5 fields, found ${spec.schedule.trim().split(/\s+/).length}: ${spec.schedule}`));
      }
      if (spec.concurrencyPolicy && !CONCURRENCY.includes(spec.concurrencyPolicy)) errors.push(field.notSupported('spec.concurrencyPolicy', spec.concurrencyPolicy, CONCURRENCY));
      if (spec.jobTemplate?.spec?.selector) errors.push(field.invalid('spec.jobTemplate.spec.selector', spec.jobTemplate.spec.selector, '`selector` will be auto-generated'));
      for (const problem of validatePodTemplate(spec.jobTemplate?.spec?.template, 'spec.jobTemplate.spec.template', { restartPolicies: ['OnFailure', 'Never'] })) errors.push(problem);
      return errors;
    },
  },
  table: {
    columns: [
      nameColumn,
      { name: 'Schedule', type: 'string', description: [`${BATCH}.CronJobSpec`, 'schedule'] },
      { name: 'Timezone', type: 'string', description: [`${BATCH}.CronJobSpec`, 'timeZone'] },
      { name: 'Suspend', type: 'boolean', description: [`${BATCH}.CronJobSpec`, 'suspend'] },
      { name: 'Active', type: 'integer', description: [`${BATCH}.CronJobStatus`, 'active'] },
      { name: 'Last Schedule', type: 'string', description: [`${BATCH}.CronJobStatus`, 'lastScheduleTime'] },
      ageColumn,
      { name: 'Containers', type: 'string', priority: 1, description: 'Names of each container in the template.' },
      { name: 'Images', type: 'string', priority: 1, description: 'Images referenced by each container in the template.' },
      { name: 'Selector', type: 'string', priority: 1, description: [`${BATCH}.JobSpec`, 'selector'] },
    ],
    cells: (cronjob, now) => [
      cronjob.metadata.name ?? '',
      cronjob.spec?.schedule ?? '',
      cronjob.spec?.timeZone ?? '<none>',
      cronjob.spec?.suspend === undefined ? '<unset>' : cronjob.spec.suspend ? 'True' : 'False',
      (cronjob.status?.active ?? []).length,
      cronjob.status?.lastScheduleTime ? ageSince(cronjob.status.lastScheduleTime, now) : '<none>',
      age(cronjob, now),
      ...containerCells(cronjob.spec?.jobTemplate?.spec?.template?.spec),
      formatLabelSelector(cronjob.spec?.jobTemplate?.spec?.selector),
    ],
  },
});
