/**
 * @module server/registry/admission/namespace-lifecycle
 * Layer: registry (admission). NamespaceLifecycle: namespaced objects are created only in namespaces that
 * exist and are not terminating; default, kube-system and kube-public can never be deleted.
 */
import { ApiError, errors, StatusReason } from '../../api/status.js';
import type { AdmissionPlugin } from './types.js';

const IMMORTAL = new Set(['default', 'kube-system', 'kube-public']);

export const namespaceLifecycle: AdmissionPlugin = {
  name: 'NamespaceLifecycle',
  validate(request, reader) {
    const { resource, operation } = request;
    if (resource.plural === 'namespaces' && resource.group === '' && operation === 'DELETE' && IMMORTAL.has(request.name)) {
      throw errors.forbidden(resource.groupResource, request.name, 'this namespace may not be deleted');
    }
    if (!resource.namespaced || operation !== 'CREATE' || !request.namespace) return;
    const namespace = reader.get(reader.resource('', 'namespaces'), undefined, request.namespace);
    if (!namespace) throw errors.notFound({ group: '', resource: 'namespaces' }, request.namespace);
    if (namespace.object.metadata.deletionTimestamp || (namespace.object.status as { phase?: string } | undefined)?.phase === 'Terminating') {
      const subject = request.name || 'Unknown';
      const qualified = resource.group ? `${resource.plural}.${resource.group}` : resource.plural;
      throw new ApiError(
        403,
        StatusReason.Forbidden,
        `${qualified} "${subject}" is forbidden: unable to create new content in namespace ${request.namespace} because it is being terminated`,
        {
          name: subject,
          ...(resource.group && { group: resource.group }),
          kind: resource.plural,
          causes: [{ reason: 'NamespaceTerminating', message: `namespace ${request.namespace} is being terminated`, field: 'metadata.namespace' }],
        },
      );
    }
  },
};
