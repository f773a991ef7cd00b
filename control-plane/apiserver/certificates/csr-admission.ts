// The CertificateSigningRequest admission plugin (mutating, runs inside each registry attempt):
//   CREATE   spec.username/groups/uid := the requester (what the client sent is overwritten); the
//            request must be a PEM CSR with a valid signature; auto-approved requests (csr-decision)
//            are signed at once, so the created object already carries status.certificate.
//   approval (update of the "approval" subresource, `shoalctl certificate approve|deny`): adds
//            Approved or Denied; a newly approved request is signed then. Approved/Denied are
//            never removed, never both.
//   status   may not touch Approved/Denied nor status.certificate: only this server signs.
// Dry runs never sign. Neither the request nor the certificate body is logged.
import type { Logger } from 'pino';
import { CSR_SIGNERS, DEFAULT_CSR_USAGES } from '../../../api/index.js';
import type { CsrCondition, FieldError, KubeObject } from '../../../api/index.js';
import { readCsr } from '../../pki/index.js';
import type { Clock } from '../clock.js';
import { timestamp } from '../clock.js';
import { invalid } from '../errors.js';
import type { AdmissionRequest, MutatingAdmissionPlugin } from '../pipeline/admission.js';
import { decideAutoApproval, signingPolicy, usagesProblem } from './csr-decision.js';
import type { CsrSigner } from './csr-signer.js';

export interface CsrAdmissionDeps {
  /** The cluster signing CA; absent = approved requests get a Failed condition saying so. */
  readonly signer: CsrSigner | undefined;
  readonly clock: Clock;
  readonly log?: Logger;
}

interface CsrStatus {
  conditions?: CsrCondition[];
  certificate?: string;
}

type Spec = Record<string, unknown>;

const KIND = 'CertificateSigningRequest';
const DECISIONS = ['Approved', 'Denied'] as const;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const statusOf = (o: KubeObject | undefined): CsrStatus => (isRecord(o?.status) ? (o.status as CsrStatus) : {});
const has = (s: CsrStatus, type: string): boolean => (s.conditions ?? []).some((c) => c.type === type && c.status === 'True');
const fromBase64 = (v: unknown): string | undefined => (typeof v === 'string' ? Buffer.from(v, 'base64').toString('utf8') : undefined);

export class CertificateSigningRequests implements MutatingAdmissionPlugin {
  readonly name = 'CertificateSigningRequests';

  constructor(private readonly d: CsrAdmissionDeps) {}

  async admit(req: AdmissionRequest): Promise<KubeObject> {
    if (req.kind.resource !== 'certificatesigningrequests') return req.object;
    if (req.operation === 'CREATE') return this.create(req);
    if (req.operation === 'UPDATE') return this.update(req);
    return req.object;
  }

  private condition(type: CsrCondition['type'], reason: string, message: string): CsrCondition {
    return { type, status: 'True', reason, message, lastUpdateTime: timestamp(this.d.clock.now()) };
  }

  private async create(req: AdmissionRequest): Promise<KubeObject> {
    if (!isRecord(req.object.spec)) return req.object; // the kind's validation reports it
    const user = req.attrs.user as typeof req.attrs.user & { readonly uid?: string };
    const spec: Spec = { ...req.object.spec, username: user.name, groups: [...user.groups] };
    delete spec.uid;
    if (user.uid !== undefined && user.uid !== '') spec.uid = user.uid;
    const object: KubeObject = { ...req.object, spec };
    delete object.status;
    const name = object.metadata.name;
    const pem = fromBase64(spec.request);
    if (pem === undefined || !(CSR_SIGNERS as readonly unknown[]).includes(spec.signerName)) return object;
    const read = await readCsr(pem);
    const bad = !read.ok ? read.reason : read.subject.commonName === '' ? 'the request has no CN' : undefined;
    if (bad !== undefined || !read.ok) {
      throw invalid(KIND, name, [{ field: 'spec.request', type: 'FieldValueInvalid', detail: `Invalid value: "<value omitted>": ${bad ?? ''}` }]);
    }
    const usages = Array.isArray(spec.usages) ? (spec.usages as string[]) : [...DEFAULT_CSR_USAGES];
    const decision = decideAutoApproval(user, { signerName: spec.signerName as string, usages, subject: read.subject });
    if (!decision.approve) {
      this.d.log?.info({ csr: name, requester: user.name, subject: read.subject.commonName, why: decision.why }, 'certificate signing request pending approval');
      return object;
    }
    const status = await this.issue(req, spec, pem, [this.condition('Approved', decision.reason, decision.message)]);
    return { ...object, status };
  }

  private async update(req: AdmissionRequest): Promise<KubeObject> {
    const sub = req.attrs.subresource;
    if (sub !== 'status' && sub !== 'approval') return req.object; // the registry keeps status on main-resource updates
    const old = statusOf(req.oldObject);
    const next = statusOf(req.object);
    const errors: FieldError[] = [];
    const forbid = (field: string, why: string): void => void errors.push({ field, type: 'FieldValueForbidden', detail: `Forbidden: ${why}` });
    if ((next.certificate ?? '') !== (old.certificate ?? '')) forbid('status.certificate', 'written only by the API server when it signs the request');
    for (const type of DECISIONS) {
      if (sub === 'status' && has(next, type) !== has(old, type)) forbid('status.conditions', `${type} is set through the approval subresource (shoalctl certificate approve|deny)`);
      if (sub === 'approval' && has(old, type) && !has(next, type)) forbid('status.conditions', `an ${type} condition cannot be removed`);
    }
    if (has(next, 'Approved') && has(next, 'Denied')) errors.push({ field: 'status.conditions', type: 'FieldValueInvalid', detail: 'Invalid value: a request cannot be both Approved and Denied' });
    if (errors.length > 0) throw invalid(KIND, req.object.metadata.name, errors);
    const spec = isRecord(req.object.spec) ? req.object.spec : {};
    const pem = fromBase64(spec.request);
    if (sub !== 'approval' || !has(next, 'Approved') || has(old, 'Approved') || (old.certificate ?? '') !== '' || pem === undefined) return req.object;
    this.d.log?.info({ csr: req.object.metadata.name, approver: req.attrs.user.name }, 'certificate signing request approved');
    return { ...req.object, status: await this.issue(req, spec, pem, [...(next.conditions ?? [])]) };
  }

  /** Signs an approved request: the certificate, or a Failed condition saying why not. */
  private async issue(req: AdmissionRequest, spec: Spec, pem: string, conditions: CsrCondition[]): Promise<CsrStatus> {
    if (req.attrs.dryRun) return { conditions };
    const name = req.object.metadata.name;
    const failed = (reason: string, message: string): CsrStatus => {
      this.d.log?.warn({ csr: name, reason, message }, 'certificate signing request not signed');
      return { conditions: [...conditions, this.condition('Failed', reason, message)] };
    };
    if (this.d.signer === undefined) return failed('SignerUnavailable', 'this API server has no cluster signing CA (--api-cluster-signing-cert-file, --api-cluster-signing-key-file)');
    const policy = signingPolicy(String(spec.signerName));
    if (policy === undefined) return failed('SignerValidationFailure', `no signer "${String(spec.signerName)}" on this server`);
    const usages = usagesProblem(Array.isArray(spec.usages) ? (spec.usages as string[]) : [...DEFAULT_CSR_USAGES]);
    if (usages !== undefined) return failed('SignerValidationFailure', usages);
    const seconds = typeof spec.expirationSeconds === 'number' ? spec.expirationSeconds : undefined;
    const outcome = await this.d.signer.sign(pem, policy, seconds === undefined ? undefined : seconds * 1000);
    if (!outcome.ok) return failed('SignerValidationFailure', outcome.reason);
    this.d.log?.info({ csr: name, subject: outcome.subject.commonName, groups: outcome.subject.organizations, notAfter: outcome.issued.cert.notAfter.toISOString() }, 'certificate issued');
    return { conditions, certificate: Buffer.from(outcome.issued.certPem).toString('base64') };
  }
}
