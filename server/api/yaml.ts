/**
 * @module server/api/yaml
 * Layer: api (pure). YAML as kube-apiserver writes it — its JSON turned into YAML the sigs.k8s.io/yaml way
 * (go-yaml v2, a YAML 1.1 writer): keys sorted at every level, strings a YAML 1.1 reader would take for
 * another type (timestamps, yes/no/on/off, numbers, null) double-quoted, sequences not indented under their
 * key, no line folding. Checked byte for byte against upstream's fixtures for every built-in kind.
 */
import { stringify } from 'yaml';

export function toKubeYaml(value: unknown): string {
  return stringify(value, { version: '1.1', sortMapEntries: true, indentSeq: false, lineWidth: 0 });
}
