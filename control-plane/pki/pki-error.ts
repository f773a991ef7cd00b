// Every failure of the PKI package, with a stable code a caller can switch on.
export const PKI_ERRORS = {
  'bad-pem': 'the input is not the PEM object expected',
  'bad-key': 'the private key cannot be used',
  'bad-csr': 'the certificate signing request is malformed or its signature does not verify',
  'csr-refused': 'the signing policy refused the requested subject',
  'bad-subject': 'the requested subject is not acceptable',
  'bad-san': 'a subject alternative name is not a DNS name or an IP address',
  'bad-validity': 'the requested validity is not acceptable',
  'bad-ca-hash': 'the CA certificate hash is malformed',
  'ca-hash-mismatch': 'the CA certificate does not match the expected hash',
  'not-a-ca': 'the certificate is not a certificate authority',
  'key-mismatch': 'the private key does not belong to the certificate',
  'bad-token': 'the bootstrap token is malformed',
  'random-failed': 'the random source did not deliver usable bytes',
  'file-failed': 'a key or certificate file could not be written',
} as const;
export type PkiErrorCode = keyof typeof PKI_ERRORS;

export class PkiError extends Error {
  override readonly name = 'PkiError';
  constructor(
    readonly code: PkiErrorCode,
    detail?: string,
    options?: { cause?: unknown },
  ) {
    super(detail === undefined ? PKI_ERRORS[code] : `${PKI_ERRORS[code]}: ${detail}`, options);
  }
}
