// What changed since the last sync, after kube-proxy's change trackers: informer handlers only
// record the `namespace/name` of services whose Service or Endpoints changed in a way the rules
// see; the sync takes the set. A full sync is owed at start, after a failure, after node facts
// change and when the canary says the tables were flushed.
import type { Endpoints, Service } from '../../api/index.js';

export interface PendingChanges {
  full: boolean;
  services: Set<string>;
}

export class ChangeTracker {
  private services = new Set<string>();
  private fullOwed = true;

  /** Records a Service change; returns false when nothing the rules depend on changed. */
  service(old: Service | undefined, next: Service | undefined): boolean {
    if (old !== undefined && next !== undefined && serviceView(old) === serviceView(next)) return false;
    this.services.add(keyOf((next ?? old)!));
    return true;
  }

  /** Records an Endpoints change; returns false when the addresses and ports are the same. */
  endpoints(old: Endpoints | undefined, next: Endpoints | undefined): boolean {
    if (old !== undefined && next !== undefined && JSON.stringify(old.subsets ?? []) === JSON.stringify(next.subsets ?? [])) return false;
    this.services.add(keyOf((next ?? old)!));
    return true;
  }

  /** The next sync must rewrite everything. */
  markFull(): void {
    this.fullOwed = true;
  }

  get pending(): boolean {
    return this.fullOwed || this.services.size > 0;
  }

  /** Takes what is pending; give it back with restore() if the sync fails. */
  take(): PendingChanges {
    const out = { full: this.fullOwed, services: this.services };
    this.services = new Set();
    this.fullOwed = false;
    return out;
  }

  /** A failed sync: its services are still owed, and the next sync is a full one. */
  restore(p: PendingChanges): void {
    for (const s of p.services) this.services.add(s);
    this.fullOwed = true;
  }
}

function keyOf(o: Service | Endpoints): string {
  return `${o.metadata.namespace ?? 'default'}/${o.metadata.name ?? ''}`;
}

/** The parts of a Service the rules are made from (not its status or metadata). */
function serviceView(s: Service): string {
  return JSON.stringify(s.spec);
}
