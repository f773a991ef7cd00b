// One error class for init/join failures a user must act on; the code is stable for tests and
// scripts, the message names what is wrong (never a token, a certificate key or a private key).
export const BOOTSTRAP_ERRORS = {
  'bad-flags': 'bad flags',
  'ca-hash-mismatch': 'the cluster CA does not match --ca-cert-hash',
  'discovery-failed': 'cannot read cluster-info',
  'token-refused': 'the bootstrap token was refused',
  'bad-certificate-key': 'the certificate key does not decrypt the control-plane secrets',
  'certs-missing': 'the control-plane secrets are not published',
  'member-add-failed': 'cannot add the store member',
  'promote-failed': 'cannot promote the store member',
  'api-not-ready': 'the API server did not answer',
  'bad-state': 'the data directory holds an unusable state',
} as const;
export type BootstrapErrorCode = keyof typeof BOOTSTRAP_ERRORS;

export class BootstrapError extends Error {
  override readonly name = 'BootstrapError';
  constructor(
    readonly code: BootstrapErrorCode,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${BOOTSTRAP_ERRORS[code]}: ${detail}`, options);
  }
}
