import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { atLeast, deletedText, kubectlAvailable, LATEST, NEWEST, OLDEST, type Kubectl } from './support/kubectl.js';
import { REPO_ROOT } from './support/process.js';
import { eventually } from './support/wait.js';
import { startTestCluster, type TestCluster } from './support/server.js';

const BUNDLE = join(REPO_ROOT, 'test', 'fixtures', 'bundle.yaml');

/** kubectl's table output as rows of whitespace-separated cells (the header first). */
function table(text: string): string[][] {
  return text
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s{2,}/));
}

describe.runIf(kubectlAvailable([OLDEST, NEWEST, LATEST])).each([OLDEST, NEWEST, LATEST])('kubectl %s: everyday commands', (minor) => {
  let cluster: TestCluster;
  let kubectl: Kubectl;
  beforeAll(async () => {
    cluster = await startTestCluster();
    kubectl = cluster.kubectl(minor);
  });
  afterAll(() => cluster.close());

  /** Run kubectl, requiring success and no warnings on stderr. */
  async function ok(args: string[], stdin?: string): Promise<string> {
    const result = await kubectl.run(args, stdin === undefined ? {} : { stdin });
    expect(result.stderr, `kubectl ${args.join(' ')}`).toBe('');
    expect(result.code, `kubectl ${args.join(' ')}: ${result.stderr}`).toBe(0);
    return result.stdout;
  }

  it('version, api-versions and api-resources', async () => {
    const result = await kubectl.run(['version', '-o', 'json']);
    expect(result.code).toBe(0);
    // A real 1.30 cluster draws the same skew warning from kubectl 1.27, 1.33 and 1.35 (worded "Warning:" from 1.34 on).
    expect(result.stderr).toBe(`${atLeast(minor, '1.34') ? 'Warning' : 'WARNING'}: version difference between client (${minor}) and server (1.30) exceeds the supported minor version skew of +/-1\n`);
    const version = JSON.parse(result.stdout);
    expect(version.serverVersion.gitVersion).toMatch(/^v1\.30\./);
    const versions = (await ok(['api-versions'])).trim().split('\n');
    expect(versions).toEqual(expect.arrayContaining(['v1', 'apps/v1', 'batch/v1', 'rbac.authorization.k8s.io/v1', 'events.k8s.io/v1', 'policy/v1']));
    const resources = table(await ok(['api-resources']));
    expect(resources[0]).toEqual(['NAME', 'SHORTNAMES', 'APIVERSION', 'NAMESPACED', 'KIND']);
    expect(resources).toContainEqual(['daemonsets', 'ds', 'apps/v1', 'true', 'DaemonSet']);
    expect(resources).toContainEqual(['namespaces', 'ns', 'v1', 'false', 'Namespace']);
    expect(table(await ok(['api-resources', '--api-group=apps', '-o', 'name']))).toContainEqual(['daemonsets.apps']);
  });

  it('apply -f of a multi-document bundle creates everything, and a second apply changes nothing', async () => {
    const first = (await ok(['apply', '-f', BUNDLE])).trim().split('\n');
    expect(first).toEqual([
      'serviceaccount/agent created',
      'clusterrole.rbac.authorization.k8s.io/agent-reader created',
      'clusterrolebinding.rbac.authorization.k8s.io/agent-reader created',
      'role.rbac.authorization.k8s.io/agent-config created',
      'rolebinding.rbac.authorization.k8s.io/agent-config created',
      'configmap/agent-config created',
      'secret/agent-token created',
      'service/agent created',
      'daemonset.apps/agent created',
      'deployment.apps/agent-api created',
    ]);
    const second = (await ok(['apply', '-f', BUNDLE])).trim().split('\n');
    // stringData is write-only, so its patch is never empty — exactly as on a real cluster.
    expect(second.filter((line) => !line.endsWith(' unchanged'))).toEqual(['secret/agent-token configured']);
    const secret = JSON.parse(await ok(['get', 'secret', 'agent-token', '-o', 'json']));
    expect(Buffer.from(secret.data.token, 'base64').toString()).toBe('s3cr3t');
  });

  it('get in every output format', async () => {
    // The DaemonSet controller puts a pod on each of the 3 nodes.
    await eventually('the agent runs everywhere', async () => table(await ok(['get', 'ds']))[1]?.slice(1, 6).join(' ') === '3 3 3 3 3');
    const wide = table(await ok(['get', 'ds', '-o', 'wide']));
    expect(wide[0]).toEqual(['NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'NODE SELECTOR', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR']);
    expect(wide[1]?.slice(0, 7)).toEqual(['agent', '3', '3', '3', '3', '3', '<none>']);
    expect(wide[1]?.slice(8)).toEqual(['agent', 'registry.example.com/agent:1.4.2', 'app=agent']);
    // The Deployment's pods start: the table follows its status.
    await eventually('the deployment shows 2/2 ready', async () => {
      const plain = table(await ok(['get', 'deploy']));
      expect(plain[0]).toEqual(['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE']);
      return plain[1]?.slice(0, 4).join(' ') === 'agent-api 2/2 2 2';
    });
    const yaml = await ok(['get', 'cm', 'agent-config', '-o', 'yaml']);
    expect(yaml).toContain('agent.yaml: |');
    expect(yaml).toMatch(/resourceVersion: "\d+"/);
    expect(JSON.parse(await ok(['get', 'svc', 'agent', '-o', 'json'])).spec.ports[0]).toMatchObject({ name: 'metrics', port: 9100, protocol: 'TCP' });
    expect((await ok(['get', 'sa', '-o', 'name'])).trim().split('\n')).toEqual(['serviceaccount/agent', 'serviceaccount/default']);
    expect(await ok(['get', 'ds', 'agent', '-o', 'jsonpath={.spec.updateStrategy.type}/{.metadata.annotations.deprecated\\.daemonset\\.template\\.generation}'])).toBe('RollingUpdate/1');
  });

  it('labels: --show-labels, -L, -l, label and annotate', async () => {
    expect(await ok(['label', 'cm', 'agent-config', 'tier=backend'])).toContain('configmap/agent-config labeled');
    expect((await ok(['annotate', 'cm', 'agent-config', 'owner=team-a'])).trim()).toMatch(/^configmap\/agent-config annotated?$/);
    const shown = table(await ok(['get', 'cm', 'agent-config', '--show-labels', '-L', 'tier']));
    expect(shown[0]).toEqual(['NAME', 'DATA', 'AGE', 'TIER', 'LABELS']);
    expect(shown[1]?.slice(-2)).toEqual(['backend', 'app=agent,tier=backend']);
    expect(table(await ok(['get', 'cm', '-l', 'tier=backend', '-o', 'name']))).toEqual([['configmap/agent-config']]);
    expect(table(await ok(['get', 'cm', '-l', 'tier notin (backend)', '-o', 'name']))).not.toContainEqual(['configmap/agent-config']);
    expect(await ok(['get', 'cm', 'agent-config', '-o', 'jsonpath={.metadata.annotations.owner}'])).toBe('team-a');
    await ok(['label', 'cm', 'agent-config', 'tier-']);
    expect(await ok(['get', 'cm', 'agent-config', '-o', 'jsonpath={.metadata.labels}'])).toBe('{"app":"agent"}');
  });

  it('get -A, --field-selector and --chunk-size', async () => {
    const all = table(await ok(['get', 'sa', '-A']));
    expect(all[0]).toEqual(['NAMESPACE', 'NAME', 'SECRETS', 'AGE']);
    expect(all.map((row) => `${row[0]}/${row[1]}`)).toEqual(
      expect.arrayContaining(['default/agent', 'default/default', 'kube-system/default', 'kube-public/default', 'kube-node-lease/default']),
    );
    const chunked = table(await ok(['get', 'sa', '-A', '--chunk-size=2', '-o', 'name']));
    expect(chunked).toHaveLength(all.length - 1);
    expect(table(await ok(['get', 'ns', '--field-selector', 'metadata.name=kube-system', '-o', 'name']))).toEqual([['namespace/kube-system']]);
    const refused = await kubectl.run(['get', 'cm', '--field-selector', 'data=x']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('"data" is not a known field selector');
  });

  it('describe', async () => {
    const ds = await ok(['describe', 'ds', 'agent']);
    expect(ds).toMatch(/^Name:\s+agent$/m);
    expect(ds).toMatch(/^Selector:\s+app=agent$/m);
    expect(ds).toContain('registry.example.com/agent:1.4.2');
    expect(ds).toMatch(/^Pods Status:\s+3 Running \/ 0 Waiting \/ 0 Succeeded \/ 0 Failed$/m);
    expect(ds).toMatch(/Normal\s+SuccessfulCreate\s+\S+\s+daemonset-controller\s+Created pod: agent-/);
    const svc = await ok(['describe', 'svc', 'agent']);
    expect(svc).toMatch(/^IP:\s+10\.\d+\.\d+\.\d+$/m);
  });

  it('create -f, and AlreadyExists as kubectl prints it', async () => {
    const manifest = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: created\ndata:\n  a: "1"\n';
    expect(await ok(['create', '-f', '-'], manifest)).toBe('configmap/created created\n');
    const again = await kubectl.run(['create', '-f', '-'], { stdin: manifest });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('Error from server (AlreadyExists): error when creating "STDIN": configmaps "created" already exists');
  });

  it('replace with the current resourceVersion', async () => {
    const current = await ok(['get', 'cm', 'created', '-o', 'yaml']);
    expect(await ok(['replace', '-f', '-'], current.replace('a: "1"', 'a: "2"'))).toBe('configmap/created replaced\n');
    expect(await ok(['get', 'cm', 'created', '-o', 'jsonpath={.data.a}'])).toBe('2');
  });

  it('explain reads the OpenAPI documents', async () => {
    const recursive = await ok(['explain', 'daemonset.spec.updateStrategy', '--recursive']);
    expect(recursive).toContain('KIND:       DaemonSet');
    expect(recursive).toMatch(/rollingUpdate\s+<RollingUpdateDaemonSet>/);
    expect(recursive).toMatch(/maxUnavailable/);
    const field = await ok(['explain', 'pods.spec.containers.image']);
    expect(field).toContain('Container image name.');
  });

  it('cluster-info', async () => {
    // cluster-info colours its output even when it is not a terminal.
    const plain = (await ok(['cluster-info'])).replace(/\u001b\[[0-9;]*m/g, '');
    expect(plain).toContain(`Kubernetes control plane is running at ${cluster.url}`);
  });

  it('delete -l and delete -f', async () => {
    expect(await ok(['delete', 'cm', '-l', 'app=agent'])).toBe(`${deletedText(minor, 'configmap "agent-config"', 'default')}\n`);
    const result = await kubectl.run(['delete', '-f', BUNDLE, '--ignore-not-found']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n')).toHaveLength(9);
    expect(table(await ok(['get', 'ds,deploy,svc,sa,secret', '-o', 'name']))).toEqual([['service/kubernetes'], ['serviceaccount/default']]);
  });

  it('prints errors from the server as upstream', async () => {
    const missing = await kubectl.run(['get', 'cm', 'nope']);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe('Error from server (NotFound): configmaps "nope" not found');
    const invalid = await kubectl.run(['create', 'namespace', 'Bad.Name']);
    expect(invalid.stderr).toContain('The Namespace "Bad.Name" is invalid: metadata.name: Invalid value: "Bad.Name"');
  });
});
