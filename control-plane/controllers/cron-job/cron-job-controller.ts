// The loop around planCronJob: CronJobs and their Jobs feed the queue; a sync starts the due run,
// removes replaced and old Jobs, writes status, and asks to be woken at the next schedule time.
import type { CronJob, Job } from '../../../api/index.js';
import { parseCron } from '../../../api/index.js';
import { isAlreadyExists } from '../../../client/index.js';
import type { Informer, ShoalClient } from '../../../client/index.js';
import { Controller, splitKey } from '../shared/controller.js';
import type { ControllerDeps, SyncResult } from '../shared/controller.js';
import type { EventSink } from '../shared/event-recorder.js';
import type { InformerFactory } from '../shared/informer-factory.js';
import { controllerRef, newControllerRef } from '../shared/owner-refs.js';
import { ignoreNotFound } from '../replica-set/replica-set-controller.js';
import { canonicalJson } from '../../../workloads/index.js';
import { cronJobName, planCronJob } from './reconcile.js';

export const SCHEDULED_ANNOTATION = 'batch.kubernetes.io/cronjob-scheduled-timestamp';

export class CronJobController extends Controller {
  private readonly cronJobs: Informer<CronJob>;
  private readonly jobs: Informer<Job>;

  constructor(private readonly d: ControllerDeps & { readonly client: ShoalClient; readonly informers: InformerFactory; readonly events: EventSink }) {
    super('cronjob', d);
    this.cronJobs = d.informers.get<CronJob>('cronjobs');
    this.jobs = d.informers.get<Job>('jobs');
    this.enqueueAll(this.cronJobs);
    this.enqueueAll(this.jobs, (j) => {
      const ref = controllerRef(j);
      return ref?.kind === 'CronJob' ? `${j.metadata.namespace ?? ''}/${ref.name}` : undefined;
    });
  }

  protected async sync(key: string): Promise<SyncResult | void> {
    const cj = this.cronJobs.cache.get(key);
    if (cj === undefined || cj.metadata.deletionTimestamp !== undefined) return;
    const [ns, name] = splitKey(key);
    const schedule = parseCron(cj.spec.schedule);
    if (typeof schedule === 'string') {
      this.d.events.event(cj, 'Warning', 'UnparseableSchedule', `unparseable schedule ${JSON.stringify(cj.spec.schedule)}: ${schedule}`);
      return;
    }
    const jobs = this.jobs.cache.byIndex('namespace', ns).filter((j) => controllerRef(j)?.uid === cj.metadata.uid);
    const plan = planCronJob(cj, schedule, jobs, this.clock.now());
    const jobClient = this.d.client.resource<Job>('jobs', ns);
    for (const j of plan.deleteJobs) await ignoreNotFound(jobClient.delete(j.metadata.name ?? '', { propagationPolicy: 'Background' }));
    if (plan.skipped !== undefined) this.d.events.event(cj, 'Warning', 'JobSkipped', plan.skipped);
    if (plan.run !== undefined) {
      const jobName = cronJobName(cj, plan.run);
      const tm = cj.spec.jobTemplate.metadata ?? {};
      const job = {
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: {
          name: jobName,
          namespace: ns,
          labels: { ...(tm.labels ?? {}) },
          annotations: { ...(tm.annotations ?? {}), [SCHEDULED_ANNOTATION]: new Date(plan.run).toISOString() },
          ownerReferences: [newControllerRef(cj)],
        },
        spec: structuredClone(cj.spec.jobTemplate.spec),
      } as unknown as Job;
      try {
        await jobClient.create(job);
        this.d.events.event(cj, 'Normal', 'SuccessfulCreate', `Created job ${jobName}`);
      } catch (e) {
        if (!isAlreadyExists(e)) throw e;
      }
    }
    if (canonicalJson(plan.status) !== canonicalJson(cj.status ?? {})) await ignoreNotFound(this.d.client.resource<CronJob>('cronjobs', ns).patchStatus(name, { status: plan.status }));
    return plan.requeueAfterMs === undefined ? undefined : { requeueAfterMs: plan.requeueAfterMs };
  }
}
