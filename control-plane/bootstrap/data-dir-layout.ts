// What a control-plane host keeps in its data directory D (created by init/join):
//   D/control-plane.yaml          the state file: every flag of shoal-control-plane (keys = flag names)
//   D/store/                      the store member's WAL and snapshots
//   D/pki/                        the cluster PKI (pki-layout.ts) plus sa.key/sa.pub
//   D/encryption-config.yaml      secrets' encryption at rest (0600)
//   D/scheduler.conf, D/controller-manager.conf   client configs of the control loops (0600)
//   D/audit/audit.log             the API server's audit log
//   D/published                   marker: init published cluster-info, the token and the certs
import { join } from 'node:path';
import type { PkiLayout } from '../pki/index.js';
import { pkiLayout } from '../pki/index.js';

export interface DataDirLayout {
  readonly dir: string;
  readonly stateFile: string;
  readonly storeDir: string;
  readonly pki: PkiLayout;
  readonly serviceAccountKey: string;
  readonly serviceAccountPublicKey: string;
  readonly encryptionConfig: string;
  readonly schedulerConfig: string;
  readonly controllerManagerConfig: string;
  readonly auditLog: string;
  readonly publishedMarker: string;
}

export function dataDirLayout(dir: string): DataDirLayout {
  const pki = pkiLayout(dir);
  return {
    dir,
    stateFile: join(dir, 'control-plane.yaml'),
    storeDir: join(dir, 'store'),
    pki,
    serviceAccountKey: join(pki.dir, 'sa.key'),
    serviceAccountPublicKey: join(pki.dir, 'sa.pub'),
    encryptionConfig: join(dir, 'encryption-config.yaml'),
    schedulerConfig: join(dir, 'scheduler.conf'),
    controllerManagerConfig: join(dir, 'controller-manager.conf'),
    auditLog: join(dir, 'audit', 'audit.log'),
    publishedMarker: join(dir, 'published'),
  };
}
