/**
 * @module controllers/serviceaccounts
 * Layer: controllers. Mirrors kube-controller-manager's serviceaccount controller: every active namespace has
 * a `default` ServiceAccount; one deleted is created again. Terminating namespaces are left alone.
 */
import type { Namespace, ServiceAccount } from 'kubernetes-types/core/v1.js';
import { isAlreadyExists, isForbidden, isNotFound } from '../server/api/status.js';
import type { Kube } from '../server/api/object.js';
import { Controller } from './controller.js';
import type { ControllerContext } from './manager.js';
import { NAMESPACES, SERVICE_ACCOUNTS } from '../server/api/kinds.js';

const DEFAULT_NAME = 'default';

export class ServiceAccountsController extends Controller {
  private readonly namespaces;
  private readonly serviceAccounts;

  constructor(private readonly context: ControllerContext) {
    super('serviceaccount-controller', context.options);
    this.namespaces = context.informers.informer<Kube<Namespace>>(NAMESPACES);
    this.serviceAccounts = context.informers.informer<Kube<ServiceAccount>>(SERVICE_ACCOUNTS);
    this.namespaces.addEventHandler({
      add: (namespace) => this.enqueue(namespace.metadata.name as string),
      update: (_old, namespace) => this.enqueue(namespace.metadata.name as string),
    });
    this.serviceAccounts.addEventHandler({
      delete: (account) => {
        if (account.metadata.name === DEFAULT_NAME) this.enqueue(account.metadata.namespace as string);
      },
    });
  }

  protected async sync(namespaceName: string): Promise<void> {
    const namespace = this.namespaces.get(undefined, namespaceName);
    if (!namespace || namespace.status?.phase !== 'Active' || namespace.metadata.deletionTimestamp) return;
    if (this.serviceAccounts.get(namespaceName, DEFAULT_NAME)) return;
    try {
      await this.context.client.create(SERVICE_ACCOUNTS, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: DEFAULT_NAME, namespace: namespaceName } });
    } catch (error) {
      // Someone else made it, or the namespace began terminating meanwhile: nothing left to do.
      if (isAlreadyExists(error) || isNotFound(error) || isForbidden(error)) return;
      throw error;
    }
  }
}
