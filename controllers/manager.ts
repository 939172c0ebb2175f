/**
 * @module controllers/manager
 * Layer: controllers. kube-controller-manager in miniature: builds every controller over one shared informer
 * factory and one in-process client, starts the informers, waits for their caches, then starts the
 * controllers' workers; stops them in reverse order.
 */
import type { Client } from '../server/api/client.js';
import { realClock, type Clock } from './clock.js';
import type { Controller, ControllerOptions } from './controller.js';
import { InformerFactory } from './informer.js';

/** What every controller is built from. */
export interface ControllerContext {
  client: Client;
  informers: InformerFactory;
  clock: Clock;
  options: ControllerOptions;
}

export type ControllerFactory = (context: ControllerContext) => Controller;

export interface ManagerOptions {
  clock?: Clock;
  /** where sync failures are reported (default: stderr) */
  onError?: ControllerOptions['onError'];
}

export class ControllerManager {
  private readonly informers: InformerFactory;
  private readonly controllers: Controller[];

  constructor(client: Client, factories: readonly ControllerFactory[], options: ManagerOptions = {}) {
    this.informers = new InformerFactory(client);
    const clock = options.clock ?? realClock;
    const controllerOptions: ControllerOptions = { clock, ...(options.onError && { onError: options.onError }) };
    const context: ControllerContext = { client, informers: this.informers, clock, options: controllerOptions };
    this.controllers = factories.map((build) => build(context));
  }

  /** Start informers, wait until every cache has synced, then start the controllers' workers. */
  async start(): Promise<void> {
    this.informers.start();
    await this.informers.waitForSync();
    for (const controller of this.controllers) controller.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.controllers.map((controller) => controller.stop()));
    await this.informers.shutdown();
  }

  controller<T extends Controller>(name: string): T | undefined {
    return this.controllers.find((controller) => controller.name === name) as T | undefined;
  }
}
