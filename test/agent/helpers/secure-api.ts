// An in-process API server with TLS and just enough security for joining nodes, built to the
// contracts while the real pieces land in parallel (to be replaced by them after the merge):
// - authentication: a client certificate verified against the test CA (CN = user, O = groups),
//   or a bootstrap token checked against its Secret (C3); no credentials = system:anonymous;
//   bad credentials = UNAUTHENTICATED;
// - authorization: anonymous may only get ConfigMap kube-public/cluster-info (C2); bootstrappers
//   may only create/get/watch CSRs; everyone else may do anything;
// - a test-only CSR kind (unless api/ already has one) and a signer in mutating admission that
//   follows C4: a bootstrapper asking for CN=system:node:<n>, O=system:nodes with the kubelet
//   signer, or system:node:<n> renewing its own CN, is approved and signed at create.
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { experimental } from '@grpc/grpc-js';
import type { ServerCredentials } from '@grpc/grpc-js';
import type { KindDefinition, KubeObject } from '../../../api/index.js';
import { KINDS } from '../../../api/index.js';
import { ShoalClient } from '../../../client/index.js';
import { ApiError, Code, kindLookup } from '../../../control-plane/apiserver/index.js';
import type { AuthenticationInput, Authenticator, Authorizer, MutatingAdmissionPlugin, UserInfo } from '../../../control-plane/apiserver/index.js';
import type { Storage } from '../../../control-plane/apiserver/storage/index.js';
import { authenticateBootstrapToken, authenticateRequest, bootstrapTokenSecret, verifyClientCertificate } from '../../../control-plane/apiserver/security/index.js';
import type { SecretLike } from '../../../control-plane/apiserver/security/index.js';
import { formatBootstrapToken, generateBootstrapToken, nodeCsrPolicy, NODE_USER_PREFIX, signCsr } from '../../../control-plane/pki/index.js';
import { CSR_RESOURCE, NODE_CLIENT_SIGNER } from '../../../node-agent/join/index.js';
import type { CertificateSigningRequest } from '../../../node-agent/join/index.js';
import { startInProcess } from '../../apiserver/helpers/in-process-server.js';
import type { InProcess } from '../../apiserver/helpers/in-process-server.js';
import { createTestPki, realPkiDeps } from '../../support/pki.js';
import type { TestPki } from '../../support/pki.js';

interface Teardown {
  teardown(fn: () => void | Promise<void>): void;
}

const ANONYMOUS: UserInfo = { name: 'system:anonymous', groups: ['system:unauthenticated'] };

/** The C4 CSR kind, minimal: cluster-scoped, anything accepted (the real kind validates). */
export const testCsrKind: KindDefinition = {
  kind: 'CertificateSigningRequest',
  apiVersion: 'certificates.k8s.io/v1',
  group: 'certificates.k8s.io',
  resource: CSR_RESOURCE,
  singular: 'certificatesigningrequest',
  shortNames: ['csr'],
  namespaced: false,
  hasStatus: true,
  validate: (input) => ({ ok: true, object: input as KubeObject }),
  validateUpdate: () => [],
  fieldLabels: (o) => ({ 'metadata.name': o.metadata.name ?? '' }),
  columns: [],
};

/**
 * TLS that asks for a client certificate without requiring one (bearer tokens need none). grpc-js'
 * createSsl ties asking to requiring, so this uses certificate-provider credentials, as helper
 * secure-api's control-plane/apiserver/tls-credentials.ts does (use that one after the merge).
 */
function optionalClientCertCredentials(cert: Buffer, key: Buffer, ca: Buffer): ServerCredentials {
  // Answered in a microtask: grpc-js 1.14 registers the server's watcher only after adding the
  // listeners, so a synchronous answer is lost and every connection is dropped.
  const provider: experimental.CertificateProvider = {
    addCaCertificateListener: (l) => queueMicrotask(() => l({ caCertificate: ca })),
    removeCaCertificateListener: () => undefined,
    addIdentityCertificateListener: (l) => queueMicrotask(() => l({ certificate: cert, privateKey: key })),
    removeIdentityCertificateListener: () => undefined,
  };
  return experimental.createCertificateProviderServerCredentials(provider, provider, false);
}

async function lookupSecret(storage: Storage, namespace: string, name: string): Promise<SecretLike | undefined> {
  const v = await storage.get(`/registry/secrets/${namespace}/${name}`);
  return v === undefined ? undefined : (JSON.parse(Buffer.from(v.value).toString('utf8')) as SecretLike);
}

function testAuthenticator(storage: () => Storage, caPem: string): Authenticator {
  return {
    async authenticate(input: AuthenticationInput): Promise<UserInfo> {
      const unauthenticated = (why: string): never => {
        throw new ApiError(Code.UNAUTHENTICATED, `Unauthorized: ${why}`);
      };
      if (input.peerCertificate !== undefined) {
        const why = verifyClientCertificate(input.peerCertificate, [caPem], new Date());
        if (why !== undefined) unauthenticated(why);
      }
      const r = await authenticateRequest(
        { ...(input.metadata['authorization'] ? { authorization: input.metadata['authorization'] } : {}), ...(input.peerCertificate ? { peerCertificate: new X509Certificate(Buffer.from(input.peerCertificate)) } : {}) },
        [(token) => authenticateBootstrapToken(token, { lookup: (ns, name) => lookupSecret(storage(), ns, name), now: new Date() })],
      );
      switch (r.kind) {
        case 'authenticated':
          return r.user;
        case 'not-mine':
          return ANONYMOUS;
        case 'refused':
          return unauthenticated('invalid credentials');
      }
    },
  };
}

const testAuthorizer: Authorizer = {
  authorize: (a) => {
    const groups = a.user.groups;
    if (groups.includes('system:unauthenticated')) {
      const ok = a.verb === 'get' && a.resource === 'configmaps' && a.namespace === 'kube-public' && a.name === 'cluster-info';
      return Promise.resolve(ok ? { allowed: true } : { allowed: false, reason: 'anonymous may only read kube-public/cluster-info' });
    }
    if (groups.includes('system:bootstrappers')) {
      const ok = a.resource === CSR_RESOURCE && ['create', 'get', 'list', 'watch'].includes(a.verb);
      return Promise.resolve(ok ? { allowed: true } : { allowed: false, reason: 'bootstrappers may only request certificates' });
    }
    return Promise.resolve({ allowed: true });
  },
};

/** C4's synchronous approval rule; undefined = leave pending. */
function autoApproves(user: UserInfo, cn: string, signerName: string): boolean {
  if (signerName !== NODE_CLIENT_SIGNER || !cn.startsWith(NODE_USER_PREFIX)) return false;
  return user.groups.includes('system:bootstrappers') || user.name === cn;
}

function testCsrSigner(pki: TestPki, leafValidityMs: number, autoApprove: boolean, signed: CertificateSigningRequest[]): MutatingAdmissionPlugin {
  return {
    name: 'TestCsrSigner',
    async admit(req) {
      if (req.kind.resource !== CSR_RESOURCE || req.operation !== 'CREATE') return req.object;
      const csr = structuredClone(req.object) as CertificateSigningRequest;
      const user = req.attrs.user;
      csr.spec = { ...csr.spec, username: user.name, groups: [...user.groups] };
      const pem = Buffer.from(csr.spec.request ?? '', 'base64').toString('utf8');
      const now = new Date().toISOString();
      // Renewal: only for the requester's own name; a bootstrapper: any node name.
      const own = user.name.startsWith(NODE_USER_PREFIX) ? user.name.slice(NODE_USER_PREFIX.length) : undefined;
      const outcome = await signCsr(pki.ca, pem, nodeCsrPolicy(own), { validityMs: leafValidityMs, backdateMs: 0 }, realPkiDeps);
      if (!outcome.ok) {
        csr.status = { conditions: [{ type: 'Failed', status: 'True', reason: outcome.code, message: outcome.reason }] };
        return csr;
      }
      if (!autoApprove || !autoApproves(user, outcome.subject.commonName, csr.spec.signerName)) return csr;
      csr.status = {
        conditions: [{ type: 'Approved', status: 'True', reason: 'AutoApproved', message: `auto-approved for ${user.name}`, lastUpdateTime: now } as never],
        certificate: Buffer.from(outcome.issued.certPem).toString('base64'),
      };
      signed.push(csr);
      return csr;
    },
  };
}

export interface SecureApi {
  readonly api: InProcess;
  readonly address: string;
  readonly pki: TestPki;
  /** An admin client (client certificate in system:masters). */
  readonly admin: ShoalClient;
  /** CSRs the signer approved, in order. */
  readonly signed: CertificateSigningRequest[];
  /** Stores a new bootstrap token's Secret and returns the token. */
  createToken(): Promise<string>;
}

/** autoApprove false: every CSR stays pending (a person or controller would approve it). */
export async function startSecureApi(t: Teardown, o: { leafValidityMs?: number; autoApprove?: boolean } = {}): Promise<SecureApi> {
  const pki = await createTestPki(t, 'join');
  const serving = await pki.serving('apiserver', { ipAddresses: ['127.0.0.1'], dnsNames: ['localhost'] });
  const credentials = optionalClientCertCredentials(await readFile(serving.cert), await readFile(serving.key), Buffer.from(pki.ca.certPem));
  const kinds = KINDS.some((k) => k.resource === CSR_RESOURCE) ? KINDS : [...KINDS, testCsrKind];
  const signed: CertificateSigningRequest[] = [];
  let storage: Storage | undefined;
  const api = await startInProcess(t, {
    options: {
      credentials,
      kinds: kindLookup(kinds),
      authenticator: testAuthenticator(() => storage!, pki.ca.certPem),
      authorizer: testAuthorizer,
      mutatingAdmission: [testCsrSigner(pki, o.leafValidityMs ?? 3_600_000, o.autoApprove ?? true, signed)],
    },
  });
  storage = api.storage;
  await api.server.ready;
  const adminPaths = await pki.client('admin', 'admin', ['system:masters']);
  const admin = new ShoalClient({
    servers: [api.address],
    credentials: { kind: 'tls', ca: Buffer.from(pki.ca.certPem), cert: await readFile(adminPaths.cert), key: await readFile(adminPaths.key) },
  });
  t.teardown(() => admin.close());
  await admin.resource('configmaps', 'kube-public').create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cluster-info' }, data: { 'ca.crt': pki.ca.certPem, servers: api.address } } as never);
  return {
    api,
    address: api.address,
    pki,
    admin,
    signed,
    async createToken() {
      const token = formatBootstrapToken(generateBootstrapToken(realPkiDeps.randomBytes));
      await admin.resource('secrets', 'kube-system').create(bootstrapTokenSecret({ token, extraGroups: ['system:bootstrappers:shoal:default-node-token'] }) as never);
      return token;
    },
  };
}
