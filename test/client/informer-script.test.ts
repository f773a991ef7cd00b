// The informer's loop against a scripted lister-watcher and a recording clock: what it does on
// "too old", on a failed watch and with a throwing handler, without a server or real time.
import t from 'tap';
import { status } from '@grpc/grpc-js';
import type { KubeObject } from '../../api/kind.js';
import { ApiError, ApiErrorReason, Informer } from '../../client/index.js';
import type { Clock, ListerWatcher, WatchEvent } from '../../client/index.js';
import type { ResourceWatchOptions } from '../../client/index.js';

const obj = (name: string, rv: number): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: 'ns', name, uid: `u-${name}`, resourceVersion: String(rv) } });
const gone = new ApiError(status.OUT_OF_RANGE, ApiErrorReason.Gone, 'too old resource version');
const unavailable = new ApiError(status.UNAVAILABLE, ApiErrorReason.Unavailable, 'watch could not be resumed');

type Step = { list: KubeObject[]; rv: number } | { events: WatchEvent<KubeObject>[]; end: ApiError | 'hang' };

/** Plays the steps in order: each listAll takes the next list step, each watch the next watch step. */
function scripted(steps: Step[]): ListerWatcher<KubeObject> & { watchOptions: ResourceWatchOptions[]; listOptions: unknown[] } {
  const lists = steps.filter((s): s is Extract<Step, { list: unknown }> => 'list' in s);
  const watches = steps.filter((s): s is Extract<Step, { events: unknown }> => 'events' in s);
  const watchOptions: ResourceWatchOptions[] = [];
  const listOptions: unknown[] = [];
  return {
    watchOptions,
    listOptions,
    closedSignal: new AbortController().signal,
    listAll: async (o) => {
      listOptions.push(o);
      const s = lists.shift();
      if (s === undefined) throw new Error('script: no more lists');
      return { items: s.list, resourceVersion: String(s.rv) };
    },
    watch: (o) => {
      watchOptions.push(o);
      const s = watches.shift() ?? { events: [], end: 'hang' as const };
      return {
        async *[Symbol.asyncIterator]() {
          for (const e of s.events) yield e;
          if (s.end !== 'hang') throw s.end;
          await new Promise<void>((r) => (o.signal?.aborted ? r() : o.signal?.addEventListener('abort', () => r(), { once: true })));
        },
      };
    },
  };
}

function recordingClock(): Clock & { sleeps: number[] } {
  const sleeps: number[] = [];
  return { sleeps, now: () => 0, sleep: async (ms) => void sleeps.push(ms) };
}

async function settle(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setImmediate(r));
}

function logOf(inf: Informer<KubeObject>): string[] {
  const log: string[] = [];
  inf.addHandlers({
    onAdd: (o, initial) => log.push(`add ${o.metadata.name}@${o.metadata.resourceVersion}${initial ? ' (initial)' : ''}`),
    onUpdate: (_old, o) => log.push(`update ${o.metadata.name}@${o.metadata.resourceVersion}`),
    onDelete: (o) => log.push(`delete ${o.metadata.name}@${o.metadata.resourceVersion}`),
  });
  return log;
}

const backoff = { initialMs: 100, factor: 2, maxMs: 1000, jitter: 0 };

t.test('informer script - "too old": relist at once; told again before anything: pause first', async (t) => {
  const lw = scripted([
    { list: [obj('a', 1), obj('b', 2)], rv: 2 },
    { events: [], end: gone },
    { list: [obj('a', 1)], rv: 5 },
    { events: [], end: gone },
    { list: [obj('a', 1), obj('c', 6)], rv: 6 },
    { events: [], end: 'hang' },
  ]);
  const clock = recordingClock();
  const errors: unknown[] = [];
  const inf = new Informer(lw, { clock, backoff, onError: (e) => errors.push(e) });
  const log = logOf(inf);
  inf.start();
  await settle(() => inf.listCount === 3 && lw.watchOptions.length === 3);
  t.same(log, ['add a@1 (initial)', 'add b@2 (initial)', 'delete b@2', 'add c@6']);
  t.same(clock.sleeps, [100], 'one pause, before the third list');
  t.equal(errors.length, 1);
  t.same(lw.watchOptions.map((o) => o.resourceVersion), ['2', '5', '6'], 'each watch starts at its list');
  await inf.stop();
});

t.test('informer script - a watch that fails for good: pause, relist, deliver the difference', async (t) => {
  const lw = scripted([
    { list: [obj('a', 1)], rv: 1 },
    { events: [{ type: 'MODIFIED', object: obj('a', 3), resourceVersion: '3' }, { type: 'BOOKMARK', resourceVersion: '4' }], end: unavailable },
    { list: [obj('a', 3), obj('b', 5)], rv: 5 },
  ]);
  const clock = recordingClock();
  const errors: unknown[] = [];
  const inf = new Informer(lw, { clock, backoff, labelSelector: 'app=web', fieldSelector: 'spec.nodeName=n1', onError: (e) => errors.push(e) });
  const log = logOf(inf);
  inf.start();
  t.equal(await inf.waitForSync(), true);
  await settle(() => lw.watchOptions.length === 2);
  t.same(log, ['add a@1 (initial)', 'update a@3', 'add b@5'], 'the relist delivers only what changed');
  t.same(errors, [unavailable]);
  t.same(clock.sleeps, [100]);
  t.match(lw.watchOptions[0], { resourceVersion: '1', labelSelector: 'app=web', fieldSelector: 'spec.nodeName=n1', allowBookmarks: true, resume: true });
  t.match(lw.listOptions[0], { labelSelector: 'app=web', fieldSelector: 'spec.nodeName=n1', limit: 500 });
  t.equal(inf.resourceVersion, '5');
  await inf.stop();
  t.equal(inf.hasSynced(), true);
});

t.test('informer script - a throwing handler is reported; other handlers and the cache go on', async (t) => {
  const lw = scripted([
    { list: [obj('a', 1)], rv: 1 },
    { events: [{ type: 'ADDED', object: obj('b', 2), resourceVersion: '2' }, { type: 'DELETED', object: obj('a', 3), resourceVersion: '3' }], end: 'hang' },
  ]);
  const errors: unknown[] = [];
  const inf = new Informer(lw, { clock: recordingClock(), onError: (e) => errors.push(e) });
  inf.addHandlers({
    onAdd: () => {
      throw new Error('handler bug');
    },
  });
  const log = logOf(inf);
  inf.start();
  await settle(() => log.length === 3);
  t.same(log, ['add a@1 (initial)', 'add b@2', 'delete a@3']);
  t.equal(errors.length, 2, 'both adds reported');
  t.match(errors[0], { message: 'handler bug' });
  t.same(inf.cache.keys(), ['ns/b']);
  await inf.stop();
  t.equal(await inf.waitForSync(), true, 'synced stays true after stop');
});

t.test('informer script - options are checked; waitForSync gives up on stop or timeout', async (t) => {
  const lw = scripted([]);
  t.throws(() => new Informer(lw, { resyncPeriodMs: -1 }), /resyncPeriodMs/);
  t.throws(() => new Informer(lw, { pageSize: 1.5 }), /pageSize/);
  const inf = new Informer(lw, { clock: recordingClock() });
  t.equal(await inf.waitForSync({ timeoutMs: 10 }), false, 'never started: times out');
  const waiting = inf.waitForSync();
  await inf.stop();
  t.equal(await waiting, false, 'stopped before syncing');
});
