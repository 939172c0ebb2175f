import { describe, expect, it } from 'vitest';
import { parseCommandLine, UsageError } from './args.js';

describe('parseCommandLine', () => {
  it('defaults to serve with no options', () => {
    expect(parseCommandLine([])).toEqual({ name: 'serve', options: {} });
  });

  it('reads every serve flag', () => {
    expect(
      parseCommandLine(['serve', '--data-dir', 'd', '--memory', '--address', '0.0.0.0', '--port', '0', '--kubeconfig', 'k', '--nodes', '5', '--history-window', '100', '--event-ttl', '90m']),
    ).toEqual({
      name: 'serve',
      options: { dataDir: 'd', memory: true, address: '0.0.0.0', port: 0, kubeconfig: 'k', nodes: 5, historyWindow: 100, eventTtlSeconds: 5400 },
    });
    expect(parseCommandLine(['serve', '--port=8080'])).toEqual({ name: 'serve', options: { port: 8080 } });
  });

  it('knows help and version', () => {
    expect(parseCommandLine(['--help'])).toEqual({ name: 'help' });
    expect(parseCommandLine(['help'])).toEqual({ name: 'help' });
    expect(parseCommandLine(['version'])).toEqual({ name: 'version' });
  });

  it.each([
    [['serve', '--port', '1.5'], /--port must be a whole number/],
    [['serve', '--port', '65536'], /--port must be between 0 and 65535/],
    [['serve', '--history-window', '0'], /--history-window must be between 1/],
    [['serve', '--nodes=-2'], /--nodes must be a whole number/],
    [['serve', '--what'], /Unknown option '--what'/],
    [['serve', 'extra'], /unexpected argument "extra"/],
    [['launch'], /unknown command "launch"/],
    [['serve', '--address', ' '], /--address must not be empty/],
    [['serve', '--event-ttl', '1d'], /--event-ttl must be a duration of at least 1s/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseCommandLine(argv)).toThrow(UsageError);
    expect(() => parseCommandLine(argv)).toThrow(message);
  });
});
