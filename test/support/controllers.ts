/**
 * @module test/support/controllers
 * Layer: tests. A test world with controllers running over it, and a helper that waits for a condition the
 * controllers should bring about.
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

/** Wait until `check` holds (polling), or fail with `what`. */
export async function eventually(what: string, check: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
