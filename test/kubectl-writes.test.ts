import { execFileSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deletedText, kubectlAvailable, LATEST, NEWEST, OLDEST, type Kubectl } from './support/kubectl.js';
import { startTestCluster, type TestCluster } from './support/server.js';

/** 1.27 sends JSON bodies; 1.32 and 1.33 send protobuf from their typed clients. */
const VERSIONS = [OLDEST, '1.32', NEWEST, LATEST];

describe.runIf(kubectlAvailable(VERSIONS)).each(VERSIONS)('kubectl %s: write commands', (minor) => {
  let cluster: TestCluster;
  let kubectl: Kubectl;
  let cert: string;
  let key: string;
  beforeAll(async () => {
    cluster = await startTestCluster();
    kubectl = cluster.kubectl(minor);
    cert = join(cluster.dir, 'tls.crt');
    key = join(cluster.dir, 'tls.key');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=kubemu.test', '-days', '1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  });
  afterAll(() => cluster.close());

  async function ok(args: string[], stdin?: string, env?: Record<string, string>): Promise<string> {
    const result = await kubectl.run(args, { ...(stdin !== undefined && { stdin }), ...(env && { env }) });
    expect(result.stderr, `kubectl ${args.join(' ')}`).toBe('');
    expect(result.code, `kubectl ${args.join(' ')}`).toBe(0);
    return result.stdout;
  }
  const json = async (args: string[]) => JSON.parse(await ok([...args, '-o', 'json']));

  it('create <generator> for every kind kubectl can generate', async () => {
    const commands: [string[], string][] = [
      [['create', 'namespace', 'team'], 'namespace/team created'],
      [['create', 'configmap', 'cm', '--from-literal=a=b', '--from-literal=empty='], 'configmap/cm created'],
      [['create', 'secret', 'generic', 'sec', '--from-literal=password=hunter2'], 'secret/sec created'],
      [['create', 'secret', 'tls', 'tls', `--cert=${cert}`, `--key=${key}`], 'secret/tls created'],
      [['create', 'secret', 'docker-registry', 'reg', '--docker-server=registry.example.com', '--docker-username=u', '--docker-password=p'], 'secret/reg created'],
      [['create', 'serviceaccount', 'robot'], 'serviceaccount/robot created'],
      [['create', 'deployment', 'web', '--image=nginx:1.25', '--replicas=0', '--port=80'], 'deployment.apps/web created'],
      [['create', 'job', 'once', '--image=busybox', '--', 'echo', 'hi'], 'job.batch/once created'],
      [['create', 'cronjob', 'tick', '--image=busybox', '--schedule=*/5 * * * *', '--', 'date'], 'cronjob.batch/tick created'],
      [['create', 'service', 'clusterip', 'cip', '--tcp=80:8080'], 'service/cip created'],
      [['create', 'service', 'nodeport', 'np', '--tcp=80:8080', '--node-port=30123'], 'service/np created'],
      [['create', 'service', 'loadbalancer', 'lb', '--tcp=443:8443'], 'service/lb created'],
      [['create', 'role', 'reader', '--verb=get,list', '--resource=pods'], 'role.rbac.authorization.k8s.io/reader created'],
      [['create', 'rolebinding', 'reader', '--role=reader', '--user=alice', '--serviceaccount=default:robot'], 'rolebinding.rbac.authorization.k8s.io/reader created'],
      [['create', 'clusterrole', 'nodes', '--verb=get', '--resource=nodes'], 'clusterrole.rbac.authorization.k8s.io/nodes created'],
      [['create', 'clusterrolebinding', 'nodes', '--clusterrole=nodes', '--group=devs'], 'clusterrolebinding.rbac.authorization.k8s.io/nodes created'],
      [['create', 'priorityclass', 'high', '--value=1000', '--description=important'], 'priorityclass.scheduling.k8s.io/high created'],
      [['create', 'quota', 'q', '--hard=pods=10,cpu=4'], 'resourcequota/q created'],
      [['create', 'poddisruptionbudget', 'pdb', '--selector=app=web', '--min-available=1'], 'poddisruptionbudget.policy/pdb created'],
      [['create', 'ingress', 'ing', '--rule=example.com/api=cip:80'], 'ingress.networking.k8s.io/ing created'],
    ];
    for (const [args, expected] of commands) expect((await ok(args)).trim()).toBe(expected);

    expect((await json(['get', 'cm', 'cm'])).data).toEqual({ a: 'b', empty: '' });
    expect(Buffer.from((await json(['get', 'secret', 'sec'])).data.password, 'base64').toString()).toBe('hunter2');
    const tls = await json(['get', 'secret', 'tls']);
    expect(tls.type).toBe('kubernetes.io/tls');
    expect(Buffer.from(tls.data['tls.crt'], 'base64').toString()).toContain('BEGIN CERTIFICATE');
    expect((await json(['get', 'secret', 'reg'])).type).toBe('kubernetes.io/dockerconfigjson');
    const web = await json(['get', 'deploy', 'web']);
    expect(web.spec.replicas).toBe(0);
    expect(web.spec.template.spec.containers[0]).toMatchObject({ name: 'nginx', image: 'nginx:1.25', ports: [{ containerPort: 80, protocol: 'TCP' }] });
    const job = await json(['get', 'job', 'once']);
    expect(job.spec.template.spec.containers[0].command).toEqual(['echo', 'hi']);
    expect(job.spec.template.spec.restartPolicy).toBe('Never');
    expect((await json(['get', 'cronjob', 'tick'])).spec.schedule).toBe('*/5 * * * *');
    expect((await json(['get', 'svc', 'np'])).spec.ports[0]).toMatchObject({ port: 80, targetPort: 8080, nodePort: 30123 });
    expect((await json(['get', 'svc', 'lb'])).spec).toMatchObject({ type: 'LoadBalancer', allocateLoadBalancerNodePorts: true });
    expect((await json(['get', 'rolebinding', 'reader'])).subjects).toEqual([
      { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' },
      { kind: 'ServiceAccount', name: 'robot', namespace: 'default' },
    ]);
    expect((await json(['get', 'priorityclass', 'high']))).toMatchObject({ value: 1000, description: 'important', preemptionPolicy: 'PreemptLowerPriority' });
    expect((await json(['get', 'quota', 'q'])).spec.hard).toEqual({ pods: '10', cpu: '4' });
    expect((await json(['get', 'pdb', 'pdb'])).spec).toMatchObject({ minAvailable: 1, selector: { matchLabels: { app: 'web' } } });
    expect((await json(['get', 'ing', 'ing'])).spec.rules[0]).toMatchObject({ host: 'example.com', http: { paths: [{ path: '/api', pathType: 'Exact' }] } });
  });

  it('auth can-i and create token', async () => {
    expect((await ok(['auth', 'can-i', 'create', 'pods'])).trim()).toBe('yes');
    expect(await ok(['auth', 'can-i', '--list'])).toMatch(/\*\.\*\s+\[\]\s+\[\]\s+\[\*\]/);
    expect(await ok(['auth', 'whoami'])).toMatch(/Username\s+kubemu-admin\nGroups\s+\[system:masters system:authenticated\]/);
    const token = (await ok(['create', 'token', 'robot'])).trim();
    const [, payload] = token.split('.');
    expect(JSON.parse(Buffer.from(payload as string, 'base64url').toString()).sub).toBe('system:serviceaccount:default:robot');
  });

  it('patch with every patch type, and a resourceVersion precondition', async () => {
    expect(await ok(['patch', 'deploy', 'web', '--type', 'json', '-p', '[{"op":"test","path":"/spec/replicas","value":0},{"op":"replace","path":"/spec/replicas","value":2}]'])).toBe('deployment.apps/web patched\n');
    await ok(['patch', 'deploy', 'web', '--type', 'merge', '-p', '{"metadata":{"labels":{"tier":"front"}}}']);
    await ok(['patch', 'deploy', 'web', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"busybox"}]}}}}']);
    const web = await json(['get', 'deploy', 'web']);
    expect(web.spec.replicas).toBe(2);
    expect(web.metadata.labels.tier).toBe('front');
    expect(web.spec.template.spec.containers.map((c: { name: string }) => c.name)).toEqual(['nginx', 'sidecar']);
    const stale = await kubectl.run(['label', 'deploy', 'web', 'x=y', '--resource-version=1']);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain('the object has been modified');
    const failedTest = await kubectl.run(['patch', 'deploy', 'web', '--type', 'json', '-p', '[{"op":"test","path":"/spec/replicas","value":99}]']);
    expect(failedTest.code).toBe(1);
    expect(failedTest.stderr).toContain('The request is invalid: testing value /spec/replicas failed');
  });

  it('set image / env / resources, scale and rollout restart', async () => {
    expect(await ok(['set', 'image', 'deploy/web', 'nginx=nginx:1.26'])).toBe('deployment.apps/web image updated\n');
    expect(await ok(['set', 'env', 'deploy/web', '-c', 'nginx', 'MODE=prod'])).toBe('deployment.apps/web env updated\n');
    expect(await ok(['set', 'resources', 'deploy/web', '-c', 'nginx', '--limits=cpu=500m,memory=256Mi'])).toBe('deployment.apps/web resource requirements updated\n');
    expect(await ok(['scale', 'deploy/web', '--replicas=3'])).toBe('deployment.apps/web scaled\n');
    expect(await ok(['scale', 'deploy/web', '--current-replicas=3', '--replicas=4'])).toBe('deployment.apps/web scaled\n');
    expect(await ok(['rollout', 'restart', 'deploy/web'])).toBe('deployment.apps/web restarted\n');
    const web = await json(['get', 'deploy', 'web']);
    const nginx = web.spec.template.spec.containers.find((c: { name: string }) => c.name === 'nginx');
    expect(nginx).toMatchObject({ image: 'nginx:1.26', env: [{ name: 'MODE', value: 'prod' }], resources: { limits: { cpu: '500m', memory: '256Mi' } } });
    expect(web.spec.replicas).toBe(4);
    expect(web.spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt']).toMatch(/Z$/);
    const refused = await kubectl.run(['scale', 'deploy/web', '--current-replicas=1', '--replicas=5']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('Expected replicas to be 1, was 4');
  });

  it('edit through KUBE_EDITOR', async () => {
    const editor = join(cluster.dir, 'editor.sh');
    writeFileSync(editor, '#!/bin/sh\nsed -i "s/a: b/a: edited/" "$1"\n');
    chmodSync(editor, 0o755);
    expect(await ok(['edit', 'cm', 'cm'], undefined, { KUBE_EDITOR: editor })).toBe('configmap/cm edited\n');
    expect((await json(['get', 'cm', 'cm'])).data.a).toBe('edited');
  });

  it('server-side apply: create, update, conflict, force and migration from client-side apply', async () => {
    const manifest = (replicas: number, image: string) =>
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ssa\nspec:\n  replicas: ${replicas}\n  selector:\n    matchLabels: {app: ssa}\n  template:\n    metadata:\n      labels: {app: ssa}\n    spec:\n      containers:\n      - name: c\n        image: ${image}\n`;
    expect(await ok(['apply', '-f', '-'], manifest(1, 'nginx:1'))).toBe('deployment.apps/ssa created\n');
    expect(await ok(['apply', '--server-side', '-f', '-'], manifest(2, 'nginx:1'))).toBe('deployment.apps/ssa serverside-applied\n');
    const migrated = await json(['get', 'deploy', 'ssa', '--show-managed-fields']);
    expect(migrated.spec.replicas).toBe(2);
    // The client-side manager is gone: its fields now belong to server-side apply.
    const owners = migrated.metadata.managedFields.map((e: { manager: string; operation: string }) => `${e.manager}/${e.operation}`);
    expect(owners).toContain('kubectl/Apply');
    expect(owners).not.toContain('kubectl-client-side-apply/Update');
    await ok(['scale', 'deploy/ssa', '--replicas=5']);
    const conflict = await kubectl.run(['apply', '--server-side', '-f', '-'], { stdin: manifest(2, 'nginx:2') });
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toMatch(/Apply failed with 1 conflict: conflict with "kubectl[^"]*" using apps\/v1: \.spec\.replicas/);
    expect(await ok(['apply', '--server-side', '--force-conflicts', '-f', '-'], manifest(2, 'nginx:2'))).toBe('deployment.apps/ssa serverside-applied\n');
    const forced = await json(['get', 'deploy', 'ssa']);
    expect([forced.spec.replicas, forced.spec.template.spec.containers[0].image]).toEqual([2, 'nginx:2']);
    expect(await ok(['apply', '--server-side', '--field-manager=other', '-f', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa-cm\ndata:\n  k: v\n')).toBe(
      'configmap/ssa-cm serverside-applied\n',
    );
  });

  it('dry runs and diff', async () => {
    expect(await ok(['create', 'configmap', 'ghost', '--from-literal=a=b', '--dry-run=server'])).toBe('configmap/ghost created (server dry run)\n');
    expect((await kubectl.run(['get', 'cm', 'ghost'])).code).toBe(1);
    expect(await ok(['delete', 'cm', 'cm', '--dry-run=server'])).toBe(`${deletedText(minor, 'configmap "cm"', 'default')} (server dry run)\n`);
    expect((await json(['get', 'cm', 'cm'])).data.a).toBe('edited');
    const diff = await kubectl.run(['diff', '-f', '-'], { stdin: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  a: diffed\n  empty: ""\n', env: { KUBECTL_EXTERNAL_DIFF: 'diff -u' } });
    expect(diff.code).toBe(1);
    expect(diff.stdout).toContain('-  a: edited');
    expect(diff.stdout).toContain('+  a: diffed');
    expect((await json(['get', 'cm', 'cm'])).data.a).toBe('edited');
  });
});
