/**
 * @module test/support/watch-client
 * Layer: tests. A raw HTTP watch client: opens a watch URL and collects the newline-delimited events as they
 * stream in, so tests can check exactly what a watcher received and when the server ended the stream.
 */
import http from 'node:http';

export interface WatchEvent {
  type: string;
  object: {
    kind?: string;
    metadata?: { name?: string; resourceVersion?: string; annotations?: Record<string, string> };
    code?: number;
    reason?: string;
    [key: string]: unknown;
  };
}

export interface OpenWatch {
  events: WatchEvent[];
  status: number;
  /** resolves when the server ends the stream */
  ended: Promise<void>;
  close(): void;
  /** wait until `count` events arrived (or fail after ms) */
  waitFor(count: number, ms?: number): Promise<WatchEvent[]>;
}

export function openWatch(baseUrl: string, path: string, headers: Record<string, string> = {}): Promise<OpenWatch> {
  return new Promise((resolve, reject) => {
    const events: WatchEvent[] = [];
    let endedResolve: () => void;
    const ended = new Promise<void>((r) => (endedResolve = r));
    const listeners = new Set<() => void>();
    const req = http.get(new URL(path, baseUrl), { headers }, (res) => {
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let newline = buffer.indexOf('\n');
        while (newline >= 0) {
          const line = buffer.slice(0, newline).trim();
          buffer = buffer.slice(newline + 1);
          if (line) events.push(JSON.parse(line) as WatchEvent);
          newline = buffer.indexOf('\n');
        }
        for (const listener of listeners) listener();
      });
      res.on('end', () => endedResolve());
      res.on('close', () => endedResolve());
      resolve({
        events,
        status: res.statusCode ?? 0,
        ended,
        close: () => req.destroy(),
        waitFor(count, ms = 3000) {
          if (events.length >= count) return Promise.resolve(events);
          return new Promise((done, fail) => {
            const timer = setTimeout(() => {
              listeners.delete(check);
              fail(new Error(`timed out with ${events.length}/${count} events: ${JSON.stringify(events.map((e) => e.type))}`));
            }, ms);
            const check = () => {
              if (events.length >= count) {
                clearTimeout(timer);
                listeners.delete(check);
                done(events);
              }
            };
            listeners.add(check);
          });
        },
      });
    });
    req.on('error', reject);
  });
}
