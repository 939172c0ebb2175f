/**
 * The LevelDB backend under damage: a truncated or deleted LevelDB log, a deleted CURRENT file, a data
 * directory others can read, and a disk that fills up and frees again (on a small tmpfs where this machine
 * lets the test mount one).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statfsSync, statSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataLossError, openLevelStore } from './leveldb.js';
import { configMap } from './storage.suite.js';
import type { VersionedStore } from './store.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kubemu-faults-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const key = (name: string) => `/registry/configmaps/default/${name}`;

/** 350 objects, one commit each, left in LevelDB's log (a clean close does not flush it into tables). */
async function fill(dir: string, count = 350): Promise<number> {
  const store = await openLevelStore(dir);
  for (let i = 0; i < count; i++) await store.create(key(`cm-${i}`), configMap(`cm-${i}`, { payload: 'x'.repeat(200) }));
  const revision = store.revision;
  await store.close();
  return revision;
}

function levelLogs(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.log'))
    .map((name) => join(dir, name));
}

describe('a damaged data directory', () => {
  it('refuses to start when LevelDB dropped acknowledged writes from a truncated log, naming what is lost', async () => {
    const dir = tempDir();
    const revision = await fill(dir);
    for (const log of levelLogs(dir)) truncateSync(log, Math.floor(statSync(log).size / 2));
    const error = await openLevelStore(dir).then(
      (store) => store.close().then(() => undefined),
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(DataLossError);
    expect((error as Error).message).toMatch(new RegExp(`lost acknowledged writes: its database ends at revision \\d+, but revisions \\d+–${revision} were committed`));
    expect((error as Error).message).toContain('--recover');
  });

  it('with recover, starts from what is left, reports the loss, and never reuses a revision', async () => {
    const dir = tempDir();
    const revision = await fill(dir);
    for (const log of levelLogs(dir)) unlinkSync(log);
    const notices: string[] = [];
    const store = await openLevelStore(dir, { recover: true, onNotice: (m) => notices.push(m) });
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(new RegExp(`revisions \\d+–${revision} are lost; continuing at revision ${revision}`));
    expect(store.revision).toBe(revision);
    const next = await store.create(key('after'), configMap('after'));
    expect(next.revision).toBe(revision + 1);
    await store.close();
    // Recovered once, the directory starts as any other.
    const again = await openLevelStore(dir);
    expect(again.get(key('after'))).toBeDefined();
    await again.close();
  });

  it('explains a missing CURRENT file, and recover repairs it', async () => {
    const dir = tempDir();
    await fill(dir, 20);
    // A second start moves the log into tables, which only the manifest that CURRENT names knows of.
    await (await openLevelStore(dir)).close();
    unlinkSync(join(dir, 'CURRENT'));
    const error = await openLevelStore(dir).then(
      (store) => store.close().then(() => undefined),
      (err: unknown) => err,
    );
    expect((error as Error).message).toMatch(/database in .* is damaged \(its CURRENT file is missing\); start with --recover/);
    const store = await openLevelStore(dir, { recover: true });
    expect(store.count('/registry/configmaps/')).toBe(20);
    await store.close();
  });

  it('keeps the data directory to its owner', async () => {
    const dir = join(tempDir(), 'data');
    mkdirSync(dir, { mode: 0o755 });
    const store = await openLevelStore(dir);
    await store.close();
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });
});

/** A tmpfs of `sizeKiB` mounted here, or undefined where this machine does not allow mounting. */
function mountTmpfs(sizeKiB: number): string | undefined {
  const dir = tempDir();
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKiB}k`, 'tmpfs', dir], { stdio: 'ignore' });
    return dir;
  } catch {
    return undefined;
  }
}

const tmpfs = mountTmpfs(8 * 1024);
afterAll(() => {
  if (tmpfs) execFileSync('umount', ['-l', tmpfs], { stdio: 'ignore' });
});

describe.runIf(tmpfs !== undefined)('a full disk (8 MiB tmpfs)', () => {
  it('refuses writes while full, loses nothing acknowledged, and writes again by itself once space is freed', async () => {
    const mount = tmpfs as string;
    const store: VersionedStore = await openLevelStore(join(mount, 'data'));
    // Leave LevelDB about 300 KiB.
    const free = statfsSync(mount).bavail * statfsSync(mount).bsize;
    writeFileSync(join(mount, 'filler'), Buffer.alloc(Math.max(0, free - 300 * 1024)));
    const acknowledged: string[] = [];
    let failure: unknown;
    for (let i = 0; i < 5000 && failure === undefined; i++) {
      try {
        await store.create(key(`cm-${i}`), configMap(`cm-${i}`, { payload: 'y'.repeat(2000) }));
        acknowledged.push(`cm-${i}`);
      } catch (err) {
        failure = err;
      }
    }
    expect((failure as { code?: string } | undefined)?.code, 'the disk filled up').toBe('Unavailable');
    expect(store.writable).toBe(false);
    await expect(store.create(key('while-full'), configMap('while-full'))).rejects.toMatchObject({ code: 'Unavailable' });
    rmSync(join(mount, 'filler'));
    const deadline = Date.now() + 10_000;
    while (!store.writable && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(store.writable, 'writable again after space came back').toBe(true);
    const after = await store.create(key('after'), configMap('after'));
    expect(after.revision).toBe(store.revision);
    await store.close();
    const reopened = await openLevelStore(join(mount, 'data'));
    for (const name of [...acknowledged, 'after']) expect(reopened.get(key(name)), name).toBeDefined();
    await reopened.close();
  });
});
