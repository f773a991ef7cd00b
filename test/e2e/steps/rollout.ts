// Step 3 of the end-to-end scenario: roll a Deployment to a new image while a client on a worker
// requests its Service in a loop, then `rollout undo` — with zero failed requests throughout.
//
// The client is a bounded shell loop in a worker host's network namespace: busybox wget to the
// ClusterIP under a 10 s `timeout` (Debian 12's busybox wget -T segfaults; 10 s because a process
// starved on a loaded 2-core machine is not a failed request, while a dead endpoint still fails:
// unreachable, refused, or no answer at all), one line per request appended to a log file
// (`ok <pod name>` or `FAIL <UTC time it ended> exit <code> <error>`), at most maxRequests
// requests / maxSeconds, ending early when a stop file appears. The log is read while it runs,
// so the step can prove requests were made during each phase, not only before or after. Log and
// stop file live in a temp dir of the test process: the host's exec shares its file system (it
// only enters the network namespace).
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import type { Pod } from '../../../api/index.js';
import { waitFor } from '../../lab/helpers/lab.js';
import type { ClusterAccess } from '../helpers/cluster-access.js';
import { WEB_IMAGE, webDeploymentManifest } from './web-app.js';

export interface RolloutStepOptions {
  readonly deployment: string;
  readonly container: string;
  readonly serviceIp: string;
  readonly port: number;
  /** The worker host the client loop runs in. */
  readonly fromHost: string;
  /** Pods of the Deployment (label selector; default app=<deployment>). */
  readonly selector?: string;
  /** Default 3. */
  readonly replicas?: number;
  /** The manifest `shoalctl apply` uses for the new version (default: web-app.ts's Deployment at :2). */
  readonly newManifest?: string;
  readonly fromImage?: string;
  readonly toImage?: string;
  /** Bounds of the client loop. */
  readonly maxRequests?: number;
  readonly maxSeconds?: number;
  /** Fewest requests each phase (rollout, undo) must have seen. */
  readonly minRequestsPerPhase?: number;
}

export interface RolloutStepReport {
  readonly requests: number;
  readonly failures: number;
  readonly phases: readonly { name: string; requests: number; ms: number }[];
  readonly servedBy: ReadonlyMap<string, number>;
}

/** One request per line into $1, until $2 exists, $4 requests or $5 seconds have passed (at most ~50/s). */
const LOOP = `
log=$1; stop=$2; url=$3; max=$4; secs=$5; bb=/bin/busybox
end=$(( $($bb date +%s) + secs )); i=0
while [ $i -lt $max ] && [ ! -e "$stop" ]; do
  # The clock is read every 10 requests: a process per request less, so more requests per second.
  if [ $((i % 10)) -eq 0 ] && [ $($bb date +%s) -ge $end ]; then break; fi
  if out=$($bb timeout 10 $bb wget -q -O- "$url" 2>&1); then echo "ok $out"; else rc=$?; echo "FAIL $(/bin/date -u +%T.%3N) exit $rc $(echo $out | $bb head -c 200)"; fi
  i=$((i+1)); $bb sleep 0.02
done >> "$log"
if [ -e "$stop" ]; then echo "END stopped $i"; else echo "END limit $i"; fi >> "$log"
`;

interface PodList {
  items: Pod[];
}

function parseLog(text: string): { lines: string[]; ok: string[]; failed: string[]; ended: boolean } {
  const lines = text.split('\n').filter((l) => l.startsWith('ok ') || l.startsWith('FAIL'));
  return {
    lines,
    ok: lines.filter((l) => l.startsWith('ok ')).map((l) => l.slice(3).trim()),
    failed: lines.filter((l) => l.startsWith('FAIL')),
    ended: /^END stopped /m.test(text),
  };
}

export async function rolloutWithoutFailures(t: Test, c: ClusterAccess, o: RolloutStepOptions): Promise<RolloutStepReport | undefined> {
  const fromImage = o.fromImage ?? WEB_IMAGE.v1;
  const toImage = o.toImage ?? WEB_IMAGE.v2;
  const maxRequests = o.maxRequests ?? 6000;
  const maxSeconds = o.maxSeconds ?? 480;
  const minPerPhase = o.minRequestsPerPhase ?? 20;
  const ref = `deployment/${o.deployment}`;
  const selector = o.selector ?? `app=${o.deployment}`;
  const replicas = o.replicas ?? 3;

  const pods = async (): Promise<Pod[]> => (await c.shoalctlJson<PodList>(['get', 'pods', '-l', selector])).items;
  const imageOf = (p: Pod): string | undefined => p.spec.containers.find((x) => x.name === o.container)?.image;
  const runningImage = (p: Pod): string | undefined => p.status?.containerStatuses?.find((x) => x.name === o.container)?.image;
  const ready = (p: Pod): boolean => p.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True') === true;
  const explainPods = async (): Promise<string> =>
    (await pods()).map((p) => `${p.metadata.name} node=${p.spec.nodeName} image=${imageOf(p)} running=${runningImage(p)} ready=${ready(p)} deleting=${p.metadata.deletionTimestamp !== undefined}`).join('\n');
  /** Every pod of the Deployment (terminating ones included) runs `image` and is ready: returns their names. */
  const settledOn = async (image: string, what: string): Promise<Set<string> | undefined> => {
    let names = new Set<string>();
    const ok = await waitFor(
      t,
      what,
      async () => {
        const ps = await pods();
        names = new Set(ps.map((p) => p.metadata.name ?? ''));
        return ps.length === replicas && ps.every((p) => p.metadata.deletionTimestamp === undefined && imageOf(p) === image && runningImage(p) === image && ready(p));
      },
      180_000,
      explainPods,
    );
    return ok ? names : undefined;
  };

  const genA = await settledOn(fromImage, `${replicas} ready pods on ${fromImage} before the rollout`);
  if (genA === undefined) return undefined;

  const dir = await mkdtemp(join(tmpdir(), 'shoal-rollout-'));
  const log = join(dir, 'requests.log');
  const stop = join(dir, 'stop');
  await writeFile(log, '');
  const url = `http://${o.serviceIp}:${o.port}/`;
  const loop = c.exec(o.fromHost, '/bin/busybox', ['sh', '-c', LOOP, 'request-loop', log, stop, url, String(maxRequests), String(maxSeconds)], { timeoutMs: (maxSeconds + 60) * 1000 });
  const count = async (): Promise<number> => parseLog(await readFile(log, 'utf8')).lines.length;
  const phases: { name: string; requests: number; ms: number }[] = [];
  let mark = { at: Date.now(), n: 0 };
  const endPhase = async (name: string): Promise<void> => {
    const n = await count();
    phases.push({ name, requests: n - mark.n, ms: Date.now() - mark.at });
    mark = { at: Date.now(), n };
  };

  let genB: Set<string> | undefined;
  let genC: Set<string> | undefined;
  try {
    if (!(await waitFor(t, `the request loop on ${o.fromHost} running (${minPerPhase} requests)`, async () => (await count()) >= minPerPhase, 60_000, async () => readFile(log, 'utf8')))) return undefined;
    await endPhase('before');

    // The new version, as an operator ships it: the manifest with the new image, applied.
    const applied = await c.shoalctl(['apply', '-f', '-'], { input: o.newManifest ?? webDeploymentManifest({ image: toImage, replicas }) });
    t.equal(applied.code, 0, `shoalctl apply (image ${toImage}) ${applied.stderr}`);
    const status = await c.shoalctl(['rollout', 'status', ref, '--timeout', '180s'], { timeoutMs: 200_000 });
    t.equal(status.code, 0, `shoalctl rollout status ${ref} succeeds: ${status.stdout.trim().split('\n').pop() ?? ''} ${status.stderr}`);
    t.match(status.stdout, /successfully rolled out/, 'rollout status says the rollout finished');
    await endPhase('rollout');
    genB = await settledOn(toImage, `every pod on ${toImage}, the old ones gone`);
    if (genB === undefined) return undefined;
    await endPhase('old pods drain');

    const undo = await c.shoalctl(['rollout', 'undo', ref]);
    t.equal(undo.code, 0, `shoalctl rollout undo ${ref}: ${undo.stdout.trim()} ${undo.stderr}`);
    const undone = await c.shoalctl(['rollout', 'status', ref, '--timeout', '180s'], { timeoutMs: 200_000 });
    t.equal(undone.code, 0, `shoalctl rollout status ${ref} after undo succeeds: ${undone.stdout.trim().split('\n').pop() ?? ''} ${undone.stderr}`);
    await endPhase('undo');
    genC = await settledOn(fromImage, `every pod back on ${fromImage} after the undo`);
    if (genC === undefined) return undefined;
    await endPhase('undo pods drain');
    // The undo made the first template the newest revision: history shows 2 and 3, no more 1.
    const history = await c.shoalctl(['rollout', 'history', ref]);
    t.ok(history.code === 0 && /^2\s/m.test(history.stdout) && /^3\s/m.test(history.stdout) && !/^1\s/m.test(history.stdout), `rollout history after the undo lists revisions 2 and 3: ${history.stdout.trim().replace(/\n/g, ' | ')} ${history.stderr}`);
    // A few more requests against the settled pods, then stop.
    const settled = await count();
    await waitFor(t, 'requests after the undo settled', async () => (await count()) >= settled + minPerPhase, 60_000);
    await endPhase('after');
  } finally {
    await writeFile(stop, '');
    const r = await loop;
    if (r.code !== 0) t.comment(`request loop exited ${r.code}: ${r.stderr}`);
  }

  const text = await readFile(log, 'utf8');
  await rm(dir, { recursive: true, force: true });
  const { lines, ok, failed, ended } = parseLog(text);
  const servedBy = new Map<string, number>();
  for (const name of ok) servedBy.set(name, (servedBy.get(name) ?? 0) + 1);
  t.ok(ended, `the request loop ran until the step stopped it (not cut short by its limits of ${maxRequests} requests / ${maxSeconds} s, nor killed)`);
  t.equal(failed.length, 0, `no failed request out of ${lines.length}${failed.length > 0 ? `: ${failed.slice(0, 10).join(' | ')}` : ''}`);
  const rollout = phases.find((p) => p.name === 'rollout')?.requests ?? 0;
  const undoing = phases.find((p) => p.name === 'undo')?.requests ?? 0;
  t.ok(rollout >= minPerPhase, `requests during the rollout: ${rollout} (>= ${minPerPhase})`);
  t.ok(undoing >= minPerPhase, `requests during the undo: ${undoing} (>= ${minPerPhase})`);
  const known = new Set([...genA, ...(genB ?? []), ...(genC ?? [])]);
  const strangers = [...servedBy.keys()].filter((n) => !known.has(n));
  t.same(strangers, [], 'every answer names a pod of the Deployment');
  const hits = (gen: Set<string> | undefined): number => [...servedBy].filter(([n]) => gen?.has(n) === true).reduce((a, [, v]) => a + v, 0);
  t.ok(hits(genA) > 0, `old pods (${fromImage}) served ${hits(genA)} requests`);
  t.ok(hits(genB) > 0, `new pods (${toImage}) served ${hits(genB)} requests`);
  t.ok(hits(genC) > 0, `pods after the undo (${fromImage}) served ${hits(genC)} requests`);
  t.comment(`requests: ${lines.length}, failed ${failed.length}; phases: ${phases.map((p) => `${p.name} ${p.requests} req/${(p.ms / 1000).toFixed(1)} s`).join(', ')}`);
  t.comment(`served by: ${[...servedBy].map(([n, v]) => `${n}=${v}`).join(' ')}`);
  return { requests: lines.length, failures: failed.length, phases, servedBy };
}
