// Keeps the Raft transport's peers in line with the cluster: every member of the replicated
// member table and every member of the Raft configuration (a removed member stays reachable
// until Raft no longer counts it), at the first peer URL known for it. Before the founding
// members are in the table (a new cluster's first seconds, or a member that joins and has not
// caught up yet) the members named in --initial-cluster are used.
// The transport dials every peer with the same credentials (TLS or not), so a member whose peer
// URL has the other scheme is left out, loudly.
import type { RaftNode } from '../../raft/index.js';
import type { GrpcTransport } from '../../raft/transport/index.js';
import type { StoreStateMachine } from './apply/store-state-machine.js';
import { grpcAddressOf, schemeOf } from './peer-url.js';
import type { UrlScheme } from './peer-url.js';

export class PeerSync {
  private readonly addressBook = new Map<number, string>();
  private readonly current = new Map<number, string>();
  private readonly warned = new Set<string>();

  constructor(
    private readonly selfId: number,
    private readonly transport: Pick<GrpcTransport, 'addPeer' | 'removePeer'>,
    private readonly sm: StoreStateMachine,
    private readonly bootstrap: ReadonlyMap<number, string[]>,
    private readonly logger: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void },
    private readonly scheme: UrlScheme,
  ) {
    for (const [id, urls] of bootstrap) if (urls[0] !== undefined) this.learn(id, urls[0]);
  }

  private learn(id: number, url: string): void {
    if (schemeOf(url) === this.scheme) {
      this.addressBook.set(id, grpcAddressOf(url));
      return;
    }
    if (this.warned.has(url)) return;
    this.warned.add(url);
    this.logger.warn({ peer: id.toString(16), url }, `peer URL is not ${this.scheme}:// like this member's: it cannot be reached`);
  }

  sync(node: RaftNode | undefined): void {
    const wanted = new Set<number>();
    for (const m of this.sm.members.list()) {
      if (m.peerUrls[0] !== undefined) this.learn(m.id, m.peerUrls[0]);
      wanted.add(m.id);
    }
    if (!this.sm.members.initialized) for (const id of this.bootstrap.keys()) wanted.add(id);
    if (node !== undefined) {
      const st = node.status();
      for (const id of [...st.voters, ...st.learners]) wanted.add(id);
    }
    wanted.delete(this.selfId);
    for (const id of wanted) {
      const addr = this.addressBook.get(id);
      if (addr === undefined || this.current.get(id) === addr) continue;
      this.transport.addPeer(id, addr);
      this.current.set(id, addr);
      this.logger.info({ peer: id.toString(16), address: addr }, 'raft peer added');
    }
    for (const id of [...this.current.keys()]) {
      if (wanted.has(id)) continue;
      this.transport.removePeer(id);
      this.current.delete(id);
      this.logger.info({ peer: id.toString(16) }, 'raft peer removed');
    }
  }
}
