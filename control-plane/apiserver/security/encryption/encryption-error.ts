// Failures of encryption at rest, each with a stable code. Messages name the key, never its bytes.
export const EncryptionErrorCode = {
  /** The value was written with a key name the configuration does not have. */
  unknownKey: 'unknown-key',
  /** Authentication failed: wrong key bytes under that name, a tampered value, or a value moved from another storage key. */
  decryptFailed: 'decrypt-failed',
  /** A value with the encrypted prefix that cannot be parsed (truncated) or a provider we do not support. */
  malformed: 'malformed',
  /** The configuration file is not valid. */
  invalidConfig: 'invalid-config',
} as const;
export type EncryptionErrorCode = (typeof EncryptionErrorCode)[keyof typeof EncryptionErrorCode];

export class EncryptionError extends Error {
  override readonly name = 'EncryptionError';
  constructor(
    readonly code: EncryptionErrorCode,
    message: string,
    /** The key name involved, when there is one. */
    readonly keyName?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
