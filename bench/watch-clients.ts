/**
 * @module bench/watch-clients
 * Layer: benchmarks. Run as a child process by the http section: opens N HTTP watchers on a watch URL and
 * measures, for every event line, the delay since the writer stamped it (`"sent":"<ms>"`, absolute
 * milliseconds — comparable across processes on one machine). Prints "ready", then one JSON line with the
 * delivery count and percentiles once every expected event arrived (or on a timeout).
 */
import http from 'node:http';

const [url, watcherArg, expectedArg] = process.argv.slice(2) as [string, string, string];
const watchers = Number(watcherArg);
const expected = Number(expectedArg) * watchers;
const latencies = new Float64Array(expected);
let received = 0;
const clock = () => performance.timeOrigin + performance.now();
const marker = '"sent":"';

function finish(): void {
  const sorted = latencies.subarray(0, received).sort();
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
  const summary = { deliveries: received, p50: at(50), p90: at(90), p99: at(99), max: sorted[sorted.length - 1] ?? Number.NaN };
  process.stdout.write(`${JSON.stringify(summary)}\n`, () => process.exit(0));
}

let opened = 0;
for (let i = 0; i < watchers; i++) {
  http.get(url, (res) => {
    let rest = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      const now = clock();
      const text = rest + chunk;
      let from = 0;
      for (let at = text.indexOf(marker, from); at >= 0; at = text.indexOf(marker, from)) {
        const start = at + marker.length;
        const end = text.indexOf('"', start);
        if (end < 0) break;
        if (received < expected) latencies[received++] = now - Number(text.slice(start, end));
        from = end;
      }
      const lastNewline = text.lastIndexOf('\n');
      rest = text.slice(Math.max(from, lastNewline + 1));
      if (received >= expected) finish();
    });
    if (++opened === watchers) process.stdout.write('ready\n');
  });
}
setTimeout(finish, 60_000).unref();
