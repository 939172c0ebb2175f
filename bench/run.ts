/**
 * @module bench/run
 * Layer: benchmarks. `npm run bench [-- section…]`: runs the named sections (default: all) and prints
 * figures with same-run baselines. Never a pass/fail gate — the machines are shared and noisy.
 */
import { clusterBench } from './cluster.js';
import { daemonSetBench } from './daemonset.js';
import { deploymentBench } from './deployment.js';
import { httpBench } from './http.js';
import { storageBench } from './storage.js';

const sections: Record<string, () => Promise<void>> = {
  storage: storageBench,
  http: httpBench,
  cluster: () => clusterBench(),
  daemonset: () => daemonSetBench(),
  deployment: () => deploymentBench(),
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !(name in sections));
if (unknown.length > 0) {
  process.stderr.write(`unknown bench section(s): ${unknown.join(', ')}; known: ${Object.keys(sections).join(', ')}\n`);
  process.exit(2);
}
process.stdout.write(`kubemu benchmarks — node ${process.version}, ${new Date().toISOString()}\n`);
for (const name of wanted.length > 0 ? wanted : Object.keys(sections)) await (sections[name] as () => Promise<void>)();
