/**
 * @module test/support/wait
 * Layer: tests. Waiting for what controllers bring about: poll a condition (sync or async) until it holds,
 * or fail naming what never happened.
 */

export async function eventually(what: string, check: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
