// drain's pod rules (cli/drain-plan.ts), table-driven: what is evicted, skipped or refused
// under each flag, with kubectl's texts.
import t from 'tap';
import type { KubeObject } from '../../api/kind.js';
import { planDrain } from '../../cli/index.js';

const pod = (name: string, o: { owner?: string; emptyDir?: boolean; phase?: string; mirror?: boolean } = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name,
    namespace: 'default',
    ...(o.owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: o.owner, name: 'x', uid: 'u', controller: true }] } : {}),
    ...(o.mirror ? { annotations: { 'kubernetes.io/config.mirror': 'abc' } } : {}),
  },
  spec: { containers: [], ...(o.emptyDir ? { volumes: [{ name: 'v', emptyDir: {} }] } : {}) },
  status: { phase: o.phase ?? 'Running' },
});

const none = { ignoreDaemonSets: false, deleteEmptyDirData: false, force: false };
const all = { ignoreDaemonSets: true, deleteEmptyDirData: true, force: true };
const pods = [pod('rs', { owner: 'ReplicaSet' }), pod('ds', { owner: 'DaemonSet' }), pod('bare'), pod('scratch', { owner: 'ReplicaSet', emptyDir: true }), pod('done', { phase: 'Succeeded' }), pod('static', { mirror: true })];
const names = (ps: readonly KubeObject[]): string[] => ps.map((p) => p.metadata.name ?? '');

t.test('drain plan - refuses without flags, names every pod in the way', async (t) => {
  const plan = planDrain(pods, none);
  t.same(plan.errors, [
    'cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): default/ds',
    'cannot delete Pods declare no controller (use --force to override): default/bare',
    'cannot delete Pods with local storage (use --delete-emptydir-data to override): default/scratch',
  ]);
  t.same(names(plan.evict), ['rs', 'done'], 'a finished pod is always fine');
});

t.test('drain plan - with every flag: DaemonSet and mirror pods stay, the rest go, with warnings', async (t) => {
  const plan = planDrain(pods, all);
  t.same(plan.errors, []);
  t.same(names(plan.evict), ['rs', 'bare', 'scratch', 'done']);
  t.same(plan.warnings, ['ignoring DaemonSet-managed Pods: default/ds', 'deleting Pods that declare no controller: default/bare', 'deleting Pods with local storage: default/scratch']);
});
