// Member and cluster identity, computed the same way on every member from configuration alone
// (no coordination): a member's id is etcd's computeMemberId — SHA-1 over its sorted peer URLs
// and the cluster token — cut to 53 bits so that it is exact as a JavaScript number (ids travel
// as uint64 on the wire and as Raft node ids here). A member that joins later computes every
// id from its --initial-cluster flag, so ids never have to be looked up.
import { createHash } from 'node:crypto';

const MASK_53 = 2n ** 53n - 1n;

function hash53(text: string): number {
  const digest = createHash('sha1').update(text, 'utf8').digest();
  const id = Number(digest.readBigUInt64BE(0) & MASK_53);
  return id === 0 ? 1 : id;
}

/** etcd's member id (without the time etcd mixes in for runtime adds), below 2^53, never 0. */
export function memberIdOf(peerUrls: readonly string[], clusterToken: string): number {
  return hash53([...peerUrls].sort().join('') + clusterToken);
}

/** The cluster id: a function of the cluster token, so joining members know it too. */
export function clusterIdOf(clusterToken: string): number {
  return hash53(`shoal-cluster/${clusterToken}`);
}

/** Ids as etcdctl prints and parses them: lower-case hex. */
export function hexId(id: number): string {
  return id.toString(16);
}
