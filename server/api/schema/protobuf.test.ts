import { describe, expect, it } from 'vitest';
import { schemaModel } from './model.js';
import { ProtobufDecoder, ProtobufError } from './protobuf.js';

const decoder = new ProtobufDecoder(schemaModel());

// Minimal protobuf writer for test inputs.
function varint(n: number | bigint): Buffer {
  let value = BigInt.asUintN(64, BigInt(n));
  const out: number[] = [];
  do {
    let byte = Number(value & 0x7fn);
    value >>= 7n;
    if (value > 0n) byte |= 0x80;
    out.push(byte);
  } while (value > 0n);
  return Buffer.from(out);
}
const field = (number: number, wire: number) => varint((number << 3) | wire);
const bytes = (number: number, value: Buffer | string) => {
  const buf = typeof value === 'string' ? Buffer.from(value) : value;
  return Buffer.concat([field(number, 2), varint(buf.length), buf]);
};
const int = (number: number, value: number) => Buffer.concat([field(number, 0), varint(value)]);
const message = (...parts: Buffer[]) => Buffer.concat(parts);
const envelope = (apiVersion: string, kind: string, raw: Buffer) =>
  Buffer.concat([Buffer.from([0x6b, 0x38, 0x73, 0x00]), bytes(1, message(bytes(1, apiVersion), bytes(2, kind))), bytes(2, raw), bytes(3, ''), bytes(4, '')]);

describe('protobuf decoding', () => {
  it('decodes the ConfigMap kubectl 1.33 sends for `create configmap cx --from-literal=a=b`', () => {
    const body = Buffer.from('6b387300' + '0a0f0a0276311209436f6e6669674d6170121c0a120a02637812001a0022002a0032003800420012060a01611201621a002200', 'hex');
    const { apiVersion, kind, raw } = decoder.envelope(body);
    expect([apiVersion, kind]).toEqual(['v1', 'ConfigMap']);
    // Go's JSON would omit the empty strings and the zero generation the protobuf encoder wrote.
    expect(decoder.message('io.k8s.api.core.v1.ConfigMap', raw)).toEqual({ metadata: { name: 'cx' }, data: { a: 'b' } });
  });

  it('decodes the DeleteOptions of `drain --disable-eviction`', () => {
    const body = Buffer.from('6b3873000a130a027631120d' + Buffer.from('DeleteOptions').toString('hex') + '120208051a002200', 'hex');
    const { kind, raw } = decoder.envelope(body);
    expect(kind).toBe('DeleteOptions');
    expect(decoder.message('io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions', raw)).toEqual({ gracePeriodSeconds: 5 });
  });

  it('keeps zero values Go keeps (pointer fields), flattens embedded messages and decodes special types', () => {
    const container = message(bytes(1, 'c'), bytes(2, 'nginx'), bytes(8, message(bytes(1, message(bytes(1, 'cpu'), bytes(2, message(bytes(1, '250m'))))))));
    const volume = message(bytes(1, 'data'), bytes(2, message(bytes(2, message())))); // Volume{name, volumeSource{emptyDir{}}}
    const podSpec = message(bytes(1, volume), bytes(2, container), bytes(3, ''));
    const template = message(bytes(1, message(bytes(11, message(bytes(1, 'app'), bytes(2, 'web'))))), bytes(2, podSpec));
    const strategy = message(bytes(1, 'RollingUpdate'), bytes(2, message(bytes(1, message(int(1, 1), bytes(3, '25%'))))));
    const spec = message(int(1, 0), bytes(3, template), bytes(4, strategy));
    const time = message(int(1, 1714557600));
    const meta = message(bytes(1, 'web'), int(7, 0), bytes(8, time));
    const raw = message(bytes(1, meta), bytes(2, spec));
    const decoded = decoder.message('io.k8s.api.apps.v1.Deployment', raw);
    expect(decoded).toEqual({
      metadata: { name: 'web', creationTimestamp: '2024-05-01T10:00:00Z' },
      spec: {
        replicas: 0,
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { volumes: [{ name: 'data', emptyDir: {} }], containers: [{ name: 'c', image: 'nginx', resources: { limits: { cpu: '250m' } } }] },
        },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%' } },
      },
    });
  });

  it('decodes bytes maps as base64, like Secret.data in JSON', () => {
    const raw = message(bytes(1, message(bytes(1, 's'))), bytes(2, message(bytes(1, 'k'), bytes(2, Buffer.from([0, 1, 2])))), bytes(3, 'Opaque'));
    expect(decoder.message('io.k8s.api.core.v1.Secret', raw)).toEqual({ metadata: { name: 's' }, data: { k: 'AAEC' }, type: 'Opaque' });
  });

  it.each([
    ['no envelope', Buffer.from('{"kind":"ConfigMap"}')],
    ['a truncated varint', Buffer.concat([Buffer.from([0x6b, 0x38, 0x73, 0x00]), Buffer.from([0x0a, 0xff])])],
    ['an overrunning length', Buffer.concat([Buffer.from([0x6b, 0x38, 0x73, 0x00]), Buffer.from([0x12, 0x7f, 0x01])])],
  ])('rejects %s with ProtobufError', (_name, body) => {
    expect(() => decoder.envelope(body)).toThrow(ProtobufError);
  });

  it('reads apiVersion and kind from an envelope it did not see before', () => {
    const body = envelope('apps/v1', 'DaemonSet', message(bytes(1, message(bytes(1, 'ds')))));
    const { apiVersion, kind, raw } = decoder.envelope(body);
    expect([apiVersion, kind]).toEqual(['apps/v1', 'DaemonSet']);
    expect(decoder.message('io.k8s.api.apps.v1.DaemonSet', raw)).toEqual({ metadata: { name: 'ds' } });
  });

  it('rejects a wire type that does not fit the field', () => {
    expect(() => decoder.message('io.k8s.api.core.v1.ConfigMap', message(int(1, 5)))).toThrow(ProtobufError);
  });
});
