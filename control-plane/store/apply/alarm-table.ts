// Active alarms as replicated state: (member id, alarm type) pairs, like etcd's alarm store.
// NOSPACE caps writes on every member until it is disarmed.
import type { AlarmMember } from '../../../proto/gen/etcd/etcdserverpb/rpc.js';
import { AlarmType } from '../../../proto/gen/etcd/etcdserverpb/rpc.js';

export class AlarmTable {
  private readonly active = new Map<string, AlarmMember>();

  private static key(a: AlarmMember): string {
    return `${a.memberID}/${a.alarm}`;
  }

  /** Active alarms ordered by member id, then type. */
  list(type: AlarmType = AlarmType.NONE): AlarmMember[] {
    return [...this.active.values()]
      .filter((a) => type === AlarmType.NONE || a.alarm === type)
      .sort((a, b) => a.memberID - b.memberID || a.alarm - b.alarm)
      .map((a) => ({ ...a }));
  }

  has(type: AlarmType): boolean {
    for (const a of this.active.values()) if (a.alarm === type) return true;
    return false;
  }

  /** Returns the alarm when it was newly raised, undefined if it already was. */
  activate(a: AlarmMember): AlarmMember | undefined {
    const k = AlarmTable.key(a);
    if (this.active.has(k)) return undefined;
    this.active.set(k, { memberID: a.memberID, alarm: a.alarm });
    return { ...a };
  }

  /** Returns the alarm when it was active, undefined otherwise. */
  deactivate(a: AlarmMember): AlarmMember | undefined {
    const k = AlarmTable.key(a);
    const had = this.active.get(k);
    if (had === undefined) return undefined;
    this.active.delete(k);
    return { ...had };
  }

  restore(alarms: readonly AlarmMember[]): void {
    this.active.clear();
    for (const a of alarms) this.active.set(AlarmTable.key(a), { memberID: a.memberID, alarm: a.alarm });
  }
}
