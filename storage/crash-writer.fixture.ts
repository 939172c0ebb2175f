/**
 * @module storage/crash-writer.fixture
 * Layer: storage (test fixture). Run as a child process by leveldb.crash.test.ts: opens a LevelDB store and
 * writes with 32 concurrent writers forever, printing one line per acknowledged write, until it is SIGKILLed.
 *   c <key> <revision>          a create was acknowledged
 *   x <key>                     a delete is about to be issued (it may land without being acknowledged)
 *   d <key> <revision>          a delete was acknowledged
 *   u <key> <revision> <value>  an update of the writer's counter to <value> was acknowledged
 */
import type { KubeObject } from '../server/api/object.js';
import { openLevelStore } from './leveldb.js';

const [dir, run] = process.argv.slice(2) as [string, string];
const store = await openLevelStore(dir, { historyWindow: 500 });
process.stdout.write(`ready ${store.revision}\n`);

const payload = (key: string) => ({ key, filler: 'x'.repeat(200 + (key.length % 50)) });

async function writer(id: number): Promise<void> {
  const counterKey = `/registry/counters/w${id}`;
  for (let i = 0; ; i++) {
    if (i % 4 === 3) {
      // Values grow across runs too: a write that landed but was never acknowledged must not look like a loss.
      const value = Number(run) * 1_000_000 + i;
      const out = await store.guaranteedUpdate(
        counterKey,
        (cur) => ({ ...(cur ? structuredClone(cur.object) : { metadata: { name: `w${id}` } }), data: { value } }) as KubeObject,
        { allowCreate: true },
      );
      process.stdout.write(`u ${counterKey} ${out.revision} ${value}\n`);
    } else {
      const key = `/registry/crash/${run}-${id}-${i}`;
      const created = await store.create(key, { metadata: { name: `${run}-${id}-${i}` }, data: payload(key) });
      process.stdout.write(`c ${key} ${created.revision}\n`);
      if (i % 10 === 5) {
        process.stdout.write(`x ${key}\n`);
        const deleted = await store.delete(key);
        process.stdout.write(`d ${key} ${deleted.revision}\n`);
      }
    }
  }
}

await Promise.all(Array.from({ length: 32 }, (_, id) => writer(id)));
