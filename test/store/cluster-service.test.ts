// The Cluster service's MemberList on one member, without Raft or a network: a fake read path
// stands in for ReadIndex. What it pins down: a member outside the commit quorum of a
// membership change (members.test.ts: `member remove`, then `member list` on any founder) lists
// the members only once it has applied everything committed when the list was asked for.
import t from 'tap';
import type * as pb from '../../proto/gen/etcd/etcdserverpb/rpc.js';
import { InternalRequest } from '../../proto/gen/store.js';
import type { Member } from '../../proto/gen/store.js';
import { StoreStateMachine } from '../../control-plane/store/apply/store-state-machine.js';
import { clusterService } from '../../control-plane/store/server/cluster-service.js';
import type { ServiceContext } from '../../control-plane/store/server/service-context.js';
import { StoreError } from '../../control-plane/store/store-error.js';
import type { Entry } from '../../raft/index.js';

const member = (id: number, name: string): Member => ({ id, name, peerUrls: [`http://127.0.0.1:${id}`], clientUrls: [], isLearner: false });

/** A follower that applied the founding table and a fourth member, but not its removal yet. */
function follower(): { sm: StoreStateMachine; applyRemoval: () => void } {
  const sm = new StoreStateMachine({ memberId: 2 });
  let index = 0;
  const entry = (body: Omit<InternalRequest, 'header'>): Entry => ({
    term: 1,
    index: ++index,
    type: 0,
    data: InternalRequest.encode({ ...body, header: { memberId: 1, id: index } }).finish(),
  });
  sm.apply([
    entry({ clusterInit: { members: [member(1, 'm1'), member(2, 'm2'), member(3, 'm3')] } }),
    entry({ memberAdd: { member: { ...member(4, ''), isLearner: true } } }),
    entry({ memberAttributes: { id: 4, name: 'm4', clientUrls: ['http://127.0.0.1:5'] } }),
    entry({ memberPromote: { id: 4 } }),
  ]);
  return { sm, applyRemoval: () => sm.apply([entry({ memberRemove: { id: 4 } })]) };
}

function memberList(sm: StoreStateMachine, linearizableRead: () => Promise<void>): Promise<pb.MemberListResponse> {
  const ctx = {
    sm,
    proposer: { linearizableRead },
    headers: { header: () => ({ clusterId: 1, memberId: 2, revision: sm.mvcc.revision, raftTerm: 1 }) },
    logger: { error() {}, warn() {}, info() {} },
  } as unknown as ServiceContext;
  const svc = clusterService(ctx);
  return new Promise((resolve, reject) => {
    svc.memberList({ request: {} } as never, (err, res) => (err === null || err === undefined ? resolve(res!) : reject(err)));
  });
}

const names = (r: pb.MemberListResponse): string[] => r.members.map((m) => m.name).sort();

t.test('member list - waits for the read point: a removal committed before the call is applied first', async (t) => {
  const { sm, applyRemoval } = follower();
  t.same(sm.members.list().map((m) => m.name).sort(), ['m1', 'm2', 'm3', 'm4'], 'the follower has not applied the removal yet');
  // ReadIndex resolves once this member applied up to the leader's commit index, which
  // includes the removal the leader already acknowledged.
  const r = await memberList(sm, async () => applyRemoval());
  t.same(names(r), ['m1', 'm2', 'm3']);
});

t.test('member list - with no leader known, the member answers with its own table', async (t) => {
  const { sm } = follower();
  const r = await memberList(sm, async () => {
    throw new StoreError('no-leader');
  });
  t.same(names(r), ['m1', 'm2', 'm3', 'm4']);
});

t.test('member list - other read failures reach the client', async (t) => {
  const { sm } = follower();
  await t.rejects(
    memberList(sm, async () => {
      throw new StoreError('timeout');
    }),
    { code: 14, details: 'etcdserver: request timed out' },
  );
});
