// The edge where the security flags (config.ts, contract C1) become the API server's options:
// files are read here and only here. TLS credentials for the gRPC port, the client CA and
// service-account keys for authentication, the audit writer, encryption at rest around the
// storage, and TLS to the store. Every failure names the flag and the file.
import { createPublicKey, randomBytes, randomUUID, X509Certificate } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import { registry as kindRegistry } from '../../api/index.js';
import { ConfigError } from '../store/config.js';
import type { Clock } from './clock.js';
import type { ApiSecurityConfig } from './config.js';
import { kindLookup } from './kinds.js';
import type { KindLookup } from './kinds.js';
import { loadCsrSigner } from './certificates/index.js';
import type { CsrSigner } from './certificates/index.js';
import { auditSink } from './pipeline/audit.js';
import type { EncryptionConfig, RewriteReport } from './security/index.js';
import { AuditWriter, EncryptingStorage, encryptedPrefixes, parseEncryptionConfig, rewriteStale, writeKeyName } from './security/index.js';
import type { ApiServerOptions } from './server.js';
import type { StoreTls } from './storage/etcd-endpoints.js';
import type { Storage } from './storage/storage.js';
import { tlsServerCredentials } from './tls-credentials.js';

export interface SecuritySetup {
  /** Options for ApiServer: credentials, security, audit (empty in dev mode). */
  readonly options: Pick<ApiServerOptions, 'credentials' | 'security' | 'audit' | 'csrSigner'>;
  /** TLS for the store's https:// endpoints. */
  readonly storeTls: StoreTls | undefined;
  /** Wraps the store with encryption at rest when configured (identity otherwise). */
  wrapStorage(storage: Storage): Storage;
  /** Flushes and closes the audit log. */
  close(): Promise<void>;
}

async function readFlagFile(flag: string, path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (e) {
    throw new ConfigError(`--${flag}: cannot read ${path}: ${(e as Error).message}`);
  }
}

function parseWith<T>(flag: string, path: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    throw new ConfigError(`--${flag}: ${path}: ${(e as Error).message}`);
  }
}

/** Every certificate in a PEM bundle. */
export function pemCertificates(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new Error('no PEM certificate in the file');
  return blocks.map((b) => new X509Certificate(b));
}

export async function loadEncryptionConfig(path: string, flag = 'api-encryption-provider-config'): Promise<EncryptionConfig> {
  const text = (await readFlagFile(flag, path)).toString('utf8');
  return parseWith(flag, path, () => parseEncryptionConfig(text));
}

export async function loadSecurity(c: ApiSecurityConfig, deps: { readonly log: Logger; readonly clock: Clock; readonly kinds?: KindLookup }): Promise<SecuritySetup> {
  const kinds = deps.kinds ?? kindLookup(kindRegistry.kinds);
  let credentials: ApiServerOptions['credentials'];
  let clientCa: Buffer | undefined;
  if (c.tls !== undefined) {
    const cert = await readFlagFile('api-tls-cert-file', c.tls.certFile);
    const key = await readFlagFile('api-tls-private-key-file', c.tls.keyFile);
    parseWith('api-tls-cert-file', c.tls.certFile, () => pemCertificates(cert.toString('utf8')));
    if (c.clientCaFile !== undefined) clientCa = await readFlagFile('api-client-ca-file', c.clientCaFile);
    credentials = parseWith('api-tls-cert-file', c.tls.certFile, () => tlsServerCredentials({ cert, key, ...(clientCa === undefined ? {} : { clientCa }) }));
  }
  const clientCas = clientCa === undefined ? [] : parseWith('api-client-ca-file', c.clientCaFile ?? '', () => pemCertificates(clientCa.toString('utf8')));
  let publicKeys: KeyObject[] | undefined;
  if (c.serviceAccountKeyFile !== undefined) {
    const pem = await readFlagFile('api-service-account-key-file', c.serviceAccountKeyFile);
    publicKeys = [parseWith('api-service-account-key-file', c.serviceAccountKeyFile, () => createPublicKey(pem))];
  }
  let encryption: EncryptionConfig | undefined;
  if (c.encryptionProviderConfig !== undefined) encryption = await loadEncryptionConfig(c.encryptionProviderConfig);
  let writer: AuditWriter | undefined;
  if (c.audit !== undefined) {
    const a = c.audit;
    writer = await AuditWriter.open({ path: a.path, maxBytes: a.maxSizeMb * 1024 * 1024, maxBackups: a.maxBackups, onError: (e) => deps.log.error({ err: e.message }, 'audit log write failed') }).catch((e: unknown) => {
      throw new ConfigError(`--api-audit-log-path: cannot open ${a.path}: ${(e as Error).message}`);
    });
  }
  let storeTls: StoreTls | undefined;
  const s = c.store;
  if (s.caFile !== undefined || s.certFile !== undefined) {
    if (s.caFile === undefined) throw new ConfigError('--api-store-certfile needs --api-store-cafile (the CA that signed the store members\' certificates)');
    storeTls = {
      ca: await readFlagFile('api-store-cafile', s.caFile),
      ...(s.certFile !== undefined && s.keyFile !== undefined ? { cert: await readFlagFile('api-store-certfile', s.certFile), key: await readFlagFile('api-store-keyfile', s.keyFile) } : {}),
    };
  }
  // The CA that signs CertificateSigningRequests (node join and renewal).
  let csrSigner: CsrSigner | undefined;
  if (c.clusterSigning !== undefined) {
    const files = c.clusterSigning;
    csrSigner = await loadCsrSigner(files, { now: () => new Date(deps.clock.now()), randomBytes }).catch((e: unknown) => {
      throw new ConfigError(`--api-cluster-signing-cert-file/--api-cluster-signing-key-file: ${(e as Error).message}`);
    });
  }
  const audit = writer === undefined ? undefined : auditSink((e) => writer.record(e), { kinds, now: () => deps.clock.now(), uuid: randomUUID, log: deps.log });
  return {
    options: {
      ...(credentials === undefined ? {} : { credentials }),
      ...(c.anonymousAdmin
        ? {}
        : { security: { clientCas, authorizationMode: c.authorizationMode, ...(publicKeys === undefined ? {} : { serviceAccount: { publicKeys, issuer: c.serviceAccountIssuer } }) } }),
      ...(audit === undefined ? {} : { audit }),
      ...(csrSigner === undefined ? {} : { csrSigner }),
    },
    storeTls,
    wrapStorage: (storage) => (encryption === undefined ? storage : new EncryptingStorage(storage, encryptedPrefixes(encryption))),
    close: async () => {
      await writer?.close();
    },
  };
}

/**
 * Key rotation's second step (after the new key is first in every API server's config and they
 * restarted): rewrites every value of each encrypted resource not written with the current key.
 * `raw` is the store without encryption.
 */
export async function rotateEncryption(config: EncryptionConfig, raw: Storage): Promise<Record<string, RewriteReport>> {
  const encrypting = new EncryptingStorage(raw, encryptedPrefixes(config));
  const out: Record<string, RewriteReport> = {};
  for (const resource of config.resources.flatMap((r) => r.resources)) {
    out[resource] = await rewriteStale(raw, encrypting, `/registry/${resource}/`, writeKeyName(config, resource));
  }
  return out;
}
