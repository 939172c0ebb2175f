/**
 * @module server/api/annotations
 * Layer: api (pure). kubemu's own annotations — the knobs users turn with kubectl to shape the simulated
 * cluster. Shared by the fake kubelets and the API server.
 */

/** On a Node: "stopped" simulates a dead kubelet (no heartbeats, no pod updates); "disabled" opts the node out of kubemu's kubelets. */
export const KUBELET_ANNOTATION = 'kubemu.io/kubelet';

/** On a Pod: how all its containers behave — Run, ImagePullBackOff, CrashLoopBackOff, NeverReady, Fail or Complete. */
export const BEHAVIOR_ANNOTATION = 'kubemu.io/behavior';

/** On a Pod: how long its containers run before they complete, fail or crash (a duration: 30s, 2m). */
export const RUN_DURATION_ANNOTATION = 'kubemu.io/run-duration';
