// Every way a join or a certificate renewal fails, with a stable code. Messages say what to do;
// none contains the token's secret.
export const JoinErrorCode = {
  /** A flag or argument is missing or malformed. */
  BadArgs: 'bad-args',
  /** No API server answered. */
  Unreachable: 'unreachable',
  /** kube-public/cluster-info is missing or malformed. */
  BadClusterInfo: 'bad-cluster-info',
  /** The cluster's CA does not match --ca-cert-hash. */
  CaHashMismatch: 'ca-hash-mismatch',
  /** The API server refused the credentials (UNAUTHENTICATED). */
  Unauthorized: 'unauthorized',
  /** Authenticated but not allowed (PERMISSION_DENIED). */
  Forbidden: 'forbidden',
  /** The CSR was denied or failed to be signed. */
  CsrDenied: 'csr-denied',
  /** The CSR was not signed in time. */
  CsrTimeout: 'csr-timeout',
  /** The issued certificate is not what was asked for. */
  BadCertificate: 'bad-certificate',
  /** agent.yaml or the node's key files are missing or malformed. */
  BadConfig: 'bad-config',
} as const;
export type JoinErrorCode = (typeof JoinErrorCode)[keyof typeof JoinErrorCode];

export class JoinError extends Error {
  override readonly name = 'JoinError';
  constructor(
    readonly code: JoinErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
