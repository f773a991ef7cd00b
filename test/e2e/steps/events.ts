// Step 7: `shoalctl get events` tells the story of the scenario: the pods scheduled onto both
// workers and started, the Deployment scaling its ReplicaSets for the rollout and the undo, the
// old pods killed, the powered-off worker noticed (NodeNotReady) and its pods evicted
// (TaintManagerEviction) and replaced. The table a person reads is printed as a comment.
import type { Test } from 'tap';
import type { ClusterAccess } from '../helpers/cluster-access.js';

interface EventView {
  reason?: string;
  message?: string;
  type?: string;
  count?: number;
  involvedObject: { kind?: string; name?: string; namespace?: string };
}

export interface Story {
  readonly app: string;
  /** The rollout and undo ran (step 3). */
  readonly rolledOut: boolean;
  /** The worker that was powered off (step 6), if it was. */
  readonly lostWorker?: string;
}

export async function eventsTellTheStory(t: Test, c: ClusterAccess, s: Story): Promise<void> {
  const table = await c.shoalctl(['get', 'events', '-A']);
  t.equal(table.code, 0, `shoalctl get events -A: ${table.stderr}`);
  t.comment(`shoalctl get events -A:\n${table.stdout}`);
  const events = (await c.shoalctlJson<{ items: EventView[] }>(['get', 'events', '-A'])).items;
  const about = (kind: string, name: (n: string) => boolean, reason: string): EventView[] =>
    events.filter((e) => e.involvedObject.kind === kind && name(e.involvedObject.name ?? '') && e.reason === reason);
  const appPod = (n: string): boolean => n.startsWith(`${s.app}-`);

  const scheduled = about('Pod', appPod, 'Scheduled');
  t.ok(scheduled.length >= 3, `Scheduled: ${scheduled.length} ${s.app} pods placed`);
  for (const w of c.workers) t.ok(scheduled.some((e) => (e.message ?? '').includes(w)), `Scheduled events name ${w}`);
  t.ok(about('Pod', appPod, 'Started').length >= 3, `Started: the agents started the ${s.app} containers`);
  const scaling = about('Deployment', (n) => n === s.app, 'ScalingReplicaSet');
  t.ok(scaling.length >= 1, `ScalingReplicaSet on deployment/${s.app} (${scaling.length})`);
  if (s.rolledOut) {
    const rsNames = new Set(scaling.map((e) => /replica set (\S+)/.exec(e.message ?? '')?.[1]).filter(Boolean));
    t.ok(rsNames.size >= 2, `the rollout and the undo scaled two ReplicaSets (${[...rsNames].join(', ')})`);
    t.ok(scaling.some((e) => /Scaled down/.test(e.message ?? '')), 'the old ReplicaSet was scaled down');
    t.ok(about('Pod', appPod, 'Killing').length >= 3, 'Killing: the agents stopped the replaced pods');
  }
  if (s.lostWorker !== undefined) {
    t.ok(about('Node', (n) => n === s.lostWorker, 'NodeNotReady').length >= 1, `NodeNotReady for ${s.lostWorker}`);
    t.ok(about('Pod', appPod, 'TaintManagerEviction').length >= 1, `TaintManagerEviction: pods of ${s.lostWorker} marked for deletion`);
    const lost = (reason: string): number => about('Node', (n) => n === s.lostWorker, reason).length;
    t.ok(lost('Starting') >= 2 && lost('NodeReady') >= 2, `${s.lostWorker}'s agent started again and reported NodeReady (Starting ×${lost('Starting')}, NodeReady ×${lost('NodeReady')})`);
  }
}
