// The loop around planJob. A Job's pods are the ones it controls (the API server adds no
// controller-uid selector yet, so there is no adoption); pods carry job-name and controller-uid
// labels. Pods are created one slow-start batch per sync with expectations, like ReplicaSets.
import type { Job, Pod } from '../../../api/index.js';
import { objectKey } from '../../../client/index.js';
import type { Informer, ShoalClient } from '../../../client/index.js';
import { Controller, splitKey } from '../shared/controller.js';
import type { ControllerDeps, SyncResult } from '../shared/controller.js';
import type { EventSink } from '../shared/event-recorder.js';
import { Expectations } from '../shared/expectations.js';
import { trackOwnedPods } from '../shared/owned-pods.js';
import type { InformerFactory } from '../shared/informer-factory.js';
import { controllerRef } from '../shared/owner-refs.js';
import { errorMessage, ignoreNotFound } from '../replica-set/replica-set-controller.js';
import { podFromTemplate } from '../replica-set/reconcile.js';
import { canonicalJson } from '../../../workloads/index.js';
import { isJobFinished, planJob } from './reconcile.js';

export class JobController extends Controller {
  readonly expectations: Expectations;
  private readonly jobs: Informer<Job>;
  private readonly pods: Informer<Pod>;

  constructor(private readonly d: ControllerDeps & { readonly client: ShoalClient; readonly informers: InformerFactory; readonly events: EventSink }) {
    super('job', d);
    this.expectations = new Expectations(d.clock);
    this.jobs = d.informers.get<Job>('jobs');
    this.pods = d.informers.get<Pod>('pods');
    this.enqueueAll(this.jobs);
    trackOwnedPods(this.pods, 'Job', this.queue, this.expectations);
  }

  protected async sync(key: string): Promise<SyncResult | void> {
    const job = this.jobs.cache.get(key);
    if (job === undefined) {
      this.expectations.delete(key);
      return;
    }
    const [ns, name] = splitKey(key);
    const pods = this.pods.cache.byIndex('namespace', ns).filter((p) => controllerRef(p)?.uid === job.metadata.uid);
    const plan = planJob(job, pods, this.clock.now());
    const podClient = this.d.client.resource<Pod>('pods', ns);
    if (this.expectations.satisfied(key)) {
      if (plan.create > 0) {
        this.expectations.expect(key, plan.create);
        const labels = { 'job-name': name, 'controller-uid': job.metadata.uid ?? '' };
        const results = await Promise.allSettled(Array.from({ length: plan.create }, () => podClient.create(podFromTemplate(job, job.spec.template, labels))));
        let failed = 0;
        for (const r of results) {
          if (r.status === 'fulfilled') this.d.events.event(job, 'Normal', 'SuccessfulCreate', `Created pod: ${r.value.metadata.name ?? ''}`);
          else {
            failed++;
            this.d.events.event(job, 'Warning', 'FailedCreate', `Error creating: ${errorMessage(r.reason)}`);
          }
        }
        if (failed > 0) {
          this.expectations.creationSkipped(key, failed);
          throw new Error(`job ${key}: ${failed} pod creation(s) failed`);
        }
      } else if (plan.delete.length > 0) {
        this.expectations.expect(key, 0, plan.delete.map((p) => objectKey(p)));
        for (const p of plan.delete) {
          await ignoreNotFound(podClient.delete(p.metadata.name ?? ''));
          this.d.events.event(job, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name ?? ''}`);
        }
      }
    }
    if (!isJobFinished(job)) {
      const done = plan.status.conditions?.find((c) => c.type === 'Complete' || c.type === 'Failed');
      if (done !== undefined) this.d.events.event(job, done.type === 'Complete' ? 'Normal' : 'Warning', done.reason ?? done.type, done.message ?? '');
    }
    const jobs = this.d.client.resource<Job>('jobs', ns);
    if (canonicalJson(plan.status) !== canonicalJson(job.status ?? {})) await ignoreNotFound(jobs.patchStatus(name, { status: plan.status }));
    // ttlSecondsAfterFinished: a finished Job (and, through the collector, its pods) goes after the TTL.
    const ttl = job.spec.ttlSecondsAfterFinished;
    const finishedAt = finishedTime(plan.status);
    if (ttl !== undefined && finishedAt !== undefined) {
      const left = finishedAt + ttl * 1000 - this.clock.now();
      if (left > 0) return { requeueAfterMs: left + 50 };
      await ignoreNotFound(jobs.delete(name, { propagationPolicy: 'Background', preconditions: { uid: job.metadata.uid ?? '' } }));
      return;
    }
    return plan.requeueAfterMs === undefined ? undefined : { requeueAfterMs: plan.requeueAfterMs };
  }
}

function finishedTime(status: NonNullable<Job['status']>): number | undefined {
  const c = status.conditions?.find((x) => (x.type === 'Complete' || x.type === 'Failed') && x.status === 'True');
  if (c === undefined) return undefined;
  const t = Date.parse(status.completionTime ?? c.lastTransitionTime ?? '');
  return Number.isNaN(t) ? undefined : t;
}
