import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import type { KubeObject } from '../server/api/object.js';
import { openLevelStore } from './leveldb.js';

const fixture = join(dirname(fileURLToPath(import.meta.url)), 'crash-writer.fixture.ts');
const KILLS = 20;

interface Acks {
  created: Map<string, number>;
  /** deletes issued: a delete may be durable although its acknowledgement was never printed */
  deleting: Set<string>;
  deleted: Map<string, number>;
  counters: Map<string, { revision: number; value: number }>;
  maxRevision: number;
}

/** Start the writer, SIGKILL it `afterMs` after it is ready, and return every write it acknowledged. */
function runAndKill(dir: string, run: number, afterMs: number, acks: Acks): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, dir, String(run)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      const [kind, key, rev, value] = line.split(' ') as [string, string, string, string | undefined];
      const revision = Number(rev);
      if (kind === 'x') {
        acks.deleting.add(key);
        return;
      }
      if (kind === 'ready') {
        setTimeout(() => child.kill('SIGKILL'), afterMs);
        return;
      }
      acks.maxRevision = Math.max(acks.maxRevision, revision);
      if (kind === 'c') acks.created.set(key, revision);
      else if (kind === 'd') acks.deleted.set(key, revision);
      else if (kind === 'u') {
        const seen = acks.counters.get(key);
        if (!seen || seen.revision < revision) acks.counters.set(key, { revision, value: Number(value) });
      }
    });
    child.on('error', reject);
    // 'close' fires after stdout is fully read, so every acknowledgement printed before the kill is counted.
    child.on('close', (code, signal) => {
      if (signal === 'SIGKILL') resolve();
      else reject(new Error(`writer exited on its own (code ${code}): ${stderr}`));
    });
  });
}

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

it(`loses no acknowledged write across ${KILLS} SIGKILLs at random moments`, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kubemu-crash-'));
  dirs.push(dir);
  const acks: Acks = { created: new Map(), deleting: new Set(), deleted: new Map(), counters: new Map(), maxRevision: 0 };
  let totalAcks = 0;
  for (let run = 0; run < KILLS; run++) {
    const before = acks.created.size + acks.deleted.size;
    await runAndKill(dir, run, 20 + Math.floor(Math.random() * 300), acks);
    totalAcks += acks.created.size + acks.deleted.size - before;

    // Reopening replays and verifies the log: contiguous window, predecessors present, every record parses.
    const store = await openLevelStore(dir, { historyWindow: 500 });
    try {
      expect(store.revision).toBeGreaterThanOrEqual(acks.maxRevision);
      for (const [key, revision] of acks.created) {
        const got = store.get<KubeObject & { data: { key: string } }>(key);
        if (acks.deleted.has(key)) {
          expect(got, `${key} was deleted at ${acks.deleted.get(key)}`).toBeUndefined();
        } else if (!got && acks.deleting.has(key)) {
          // Deleted durably; the kill came before the acknowledgement was printed.
        } else {
          expect(got?.revision, `acknowledged create of ${key}`).toBe(revision);
          expect(got?.object.data.key).toBe(key);
          expect(got?.object.metadata.resourceVersion).toBe(String(revision));
        }
      }
      for (const [key, { revision, value }] of acks.counters) {
        const got = store.get<KubeObject & { data: { value: number } }>(key);
        expect(got!.revision).toBeGreaterThanOrEqual(revision);
        expect(got!.object.data.value).toBeGreaterThanOrEqual(value);
      }
      // The replayed window is contiguous and ends at the store's revision.
      const watcher = store.watch('/registry/', { fromRevision: store.oldestRevision });
      const replayed = watcher.poll().map((event) => event.revision);
      watcher.close();
      expect(replayed).toEqual(Array.from({ length: store.revision - store.oldestRevision }, (_, i) => store.oldestRevision + 1 + i));
      // The counter never goes back: the next write is above everything ever acknowledged.
      const next = await store.create(`/registry/probe/${run}`, { metadata: { name: `probe-${run}` } });
      expect(next.revision).toBeGreaterThan(acks.maxRevision);
      acks.maxRevision = next.revision;
    } finally {
      await store.close();
    }
  }
  // The kills must have landed mid-stream: plenty of writes were acknowledged overall.
  expect(totalAcks).toBeGreaterThan(KILLS * 10);
}, 180_000);
