/**
 * @module test/support/controllers
 * Layer: tests. A test world with controllers running over it.
 */
import type { Clock } from '../../controllers/clock.js';
import { ControllerManager, type ControllerFactory } from '../../controllers/manager.js';
import { testWorld, type TestWorld } from './registry.js';

export interface ControlledWorld extends TestWorld {
  manager: ControllerManager;
  errors: string[];
}

export async function controlledWorld(factories: readonly ControllerFactory[], options: { clock?: Clock } = {}): Promise<ControlledWorld> {
  const world = await testWorld();
  const errors: string[] = [];
  const manager = new ControllerManager(world.client, factories, {
    onError: (controller, key, error) => errors.push(`${controller} ${key}: ${String(error)}`),
    ...(options.clock && { clock: options.clock }),
  });
  await manager.start();
  return {
    ...world,
    manager,
    errors,
    async close() {
      await manager.stop();
      await world.close();
    },
  };
}

export { eventually } from './wait.js';
