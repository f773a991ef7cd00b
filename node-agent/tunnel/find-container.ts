// The container a logs/exec request means: the pod's current instance of the named container, or
// (logs --previous) the one before it. The pod worker keeps exactly those two.
import type { ContainerRef } from '../../proto/gen/shoal/api/v1/tunnel.js';
import { CloseCode } from '../../api/tunnel/index.js';
import { Label, nodeSelectorLabels } from '../labels.js';
import { restartCountOf } from '../pod/pod-worker.js';
import type { ContainerInfo, ContainerRuntime } from '../runtime/index.js';
import { TunnelStreamError } from './stream-context.js';

export async function findContainer(runtime: ContainerRuntime, nodeName: string, ref: ContainerRef | undefined, previous: boolean): Promise<ContainerInfo> {
  if (ref === undefined || ref.podUid === '' || ref.container === '') throw new TunnelStreamError(CloseCode.invalidArgument, 'the request names no pod uid and container');
  const list = await runtime.list({ ...nodeSelectorLabels(nodeName), [Label.PodUid]: ref.podUid, [Label.ContainerName]: ref.container });
  list.sort((a, b) => restartCountOf(b) - restartCountOf(a) || b.createdAt - a.createdAt);
  const c = previous ? list[1] : list[0];
  if (c !== undefined) return c;
  if (previous) throw new TunnelStreamError(CloseCode.notFound, `previous terminated container "${ref.container}" in pod "${ref.podName}" not found`);
  throw new TunnelStreamError(CloseCode.notFound, `container "${ref.container}" in pod "${ref.podName}" has not been created on node "${nodeName}" yet`);
}
