/**
 * @module bench/watch-clients
 * Layer: benchmarks. Run as a child process by the http section: opens N HTTP watchers on a kubemu and
 * measures, for every event line, the delay since the writer stamped the object (`data.sent`, absolute
 * milliseconds — comparable across processes on one machine). Prints "ready", then the sorted latencies as
 * JSON once every expected event arrived (or on a timeout).
 */
import http from 'node:http';

const [url, watcherArg, expectedArg] = process.argv.slice(2) as [string, string, string];
const watchers = Number(watcherArg);
const expected = Number(expectedArg) * watchers;
const latencies: number[] = [];
const clock = () => performance.timeOrigin + performance.now();

function finish(): void {
  latencies.sort((a, b) => a - b);
  process.stdout.write(`${JSON.stringify(latencies)}\n`, () => process.exit(0));
}

let opened = 0;
for (let i = 0; i < watchers; i++) {
  http.get(`${url}/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=0`, (res) => {
    let buffer = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      const now = clock();
      buffer += chunk;
      let newline = buffer.indexOf('\n');
      while (newline >= 0) {
        const sent = /"sent":"([\d.]+)"/.exec(buffer.slice(0, newline))?.[1];
        if (sent) latencies.push(now - Number(sent));
        buffer = buffer.slice(newline + 1);
        newline = buffer.indexOf('\n');
      }
      if (latencies.length >= expected) finish();
    });
    if (++opened === watchers) process.stdout.write('ready\n');
  });
}
setTimeout(finish, 60_000).unref();
