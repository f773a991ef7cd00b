// An in-process API server secured as shoal-control-plane's --api-* flags secure it: TLS with an
// optional client certificate (tlsServerCredentials), certificate and bootstrap-token
// authentication, Node+RBAC with the default policy (cluster-info readable anonymously,
// bootstrappers may request node certificates), and the real CSR admission with a signer over
// the test CA. Only the signer's validity is overridden (short certificates for rotation tests)
// and signed requests are recorded for the tests to inspect.
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ShoalClient } from '../../../client/index.js';
import { AuthorizationMode, caCsrSigner, tlsServerCredentials } from '../../../control-plane/apiserver/index.js';
import type { CsrSigner, ValidatingAdmissionPlugin } from '../../../control-plane/apiserver/index.js';
import { bootstrapTokenSecret } from '../../../control-plane/apiserver/security/index.js';
import { formatBootstrapToken, generateBootstrapToken } from '../../../control-plane/pki/index.js';
import { CSR_RESOURCE } from '../../../node-agent/join/index.js';
import type { CertificateSigningRequest } from '../../../node-agent/join/index.js';
import { startInProcess } from '../../apiserver/helpers/in-process-server.js';
import type { InProcess } from '../../apiserver/helpers/in-process-server.js';
import { createTestPki, realPkiDeps } from '../../support/pki.js';
import type { TestPki } from '../../support/pki.js';

interface Teardown {
  teardown(fn: () => void | Promise<void>): void;
}

/** The CA signer with a fixed validity (the tests' short certificates). */
function fixedValiditySigner(pki: TestPki, validityMs: number): CsrSigner {
  const signer = caCsrSigner(pki.ca, realPkiDeps);
  return { sign: (pem, policy) => signer.sign(pem, policy, validityMs) };
}

/** Records every CSR that leaves admission with a certificate (create or approval). */
function recordSigned(signed: CertificateSigningRequest[]): ValidatingAdmissionPlugin {
  return {
    name: 'TestRecordSigned',
    validate(req) {
      const csr = req.object as unknown as CertificateSigningRequest;
      if (req.kind.resource === CSR_RESOURCE && req.operation !== 'DELETE' && typeof csr.status?.certificate === 'string' && csr.status.certificate !== '') {
        const before = (req.oldObject as unknown as CertificateSigningRequest | undefined)?.status?.certificate;
        if (before !== csr.status.certificate) signed.push(structuredClone(csr));
      }
      return Promise.resolve();
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

/** autoApprove false: every CSR stays pending until approved through the approval subresource. */
export async function startSecureApi(t: Teardown, o: { leafValidityMs?: number; autoApprove?: boolean } = {}): Promise<SecureApi> {
  const pki = await createTestPki(t, 'join');
  const serving = await pki.serving('apiserver', { ipAddresses: ['127.0.0.1'], dnsNames: ['localhost'] });
  const credentials = tlsServerCredentials({ cert: await readFile(serving.cert), key: await readFile(serving.key), clientCa: Buffer.from(pki.ca.certPem) });
  const signed: CertificateSigningRequest[] = [];
  const api = await startInProcess(t, {
    options: {
      credentials,
      security: { clientCas: [new X509Certificate(pki.ca.certPem)], authorizationMode: AuthorizationMode.NodeRBAC },
      csrSigner: fixedValiditySigner(pki, o.leafValidityMs ?? 3_600_000),
      csrAutoApprove: o.autoApprove ?? true,
      validatingAdmission: [recordSigned(signed)],
    },
  });
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
