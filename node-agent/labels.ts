// Labels the agent puts on every container it creates. They are the only record of which pod a
// container belongs to: a restarted agent finds (adopts) its containers by them.
export const Label = {
  Managed: 'io.shoal.managed',
  Node: 'io.shoal.node',
  PodUid: 'io.shoal.pod.uid',
  PodNamespace: 'io.shoal.pod.namespace',
  PodName: 'io.shoal.pod.name',
  ContainerName: 'io.shoal.container.name',
  /** init | app */
  ContainerKind: 'io.shoal.container.kind',
  RestartCount: 'io.shoal.container.restart-count',
  /** Consecutive crash-loop restarts so far: a restarted agent keeps backing off where it was. */
  Backoff: 'io.shoal.container.backoff',
  /** Hash of the container's spec: a changed spec (e.g. a new image) replaces the container. */
  SpecHash: 'io.shoal.container.hash',
} as const;

export const ContainerKindLabel = { Init: 'init', App: 'app' } as const;
export type ContainerKindLabel = (typeof ContainerKindLabel)[keyof typeof ContainerKindLabel];

/** Labels selecting every container this agent manages on this node. */
export const nodeSelectorLabels = (node: string): Record<string, string> => ({ [Label.Managed]: 'true', [Label.Node]: node });

/** Docker container names allow [a-zA-Z0-9_.-]; pod and container names already fit. */
export const dockerName = (ns: string, pod: string, container: string, uid: string, restart: number): string =>
  `shoal_${container}_${pod}_${ns}_${uid.slice(0, 8)}_${restart}`;
