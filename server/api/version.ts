/**
 * @module server/api/version
 * Layer: api (pure). The Kubernetes version kubemu serves: /version, node kubeletVersion, OpenAPI info.
 */

export const KUBERNETES_VERSION = { major: '1', minor: '30', gitVersion: 'v1.30.0' } as const;

/** The /version document, shaped as kube-apiserver's version.Info. */
export function versionInfo(): Record<string, string> {
  return {
    major: KUBERNETES_VERSION.major,
    minor: KUBERNETES_VERSION.minor,
    gitVersion: `${KUBERNETES_VERSION.gitVersion}+kubemu`,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2024-04-17T00:00:00Z',
    goVersion: `node${process.versions.node}`,
    compiler: 'kubemu',
    platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
  };
}
