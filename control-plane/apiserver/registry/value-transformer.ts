// The bytes of an object between the registry and the store: identity today. Encryption at rest
// (issue 5: Secrets with AES-GCM) is a transformer here, so etcdctl shows only ciphertext while
// the API serves plaintext. Synchronous and per resource; fromStorage must undo toStorage.
export interface ValueTransformer {
  toStorage(resource: string, plain: Uint8Array): Uint8Array;
  fromStorage(resource: string, stored: Uint8Array): Uint8Array;
}

export const identityTransformer: ValueTransformer = {
  toStorage: (_resource, plain) => plain,
  fromStorage: (_resource, stored) => stored,
};
