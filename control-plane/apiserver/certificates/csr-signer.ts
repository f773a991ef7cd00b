// The cluster signing CA as the API server uses it (--api-cluster-signing-cert-file and
// --api-cluster-signing-key-file). Neither the key nor certificate bodies are ever logged.
import { readFile } from 'node:fs/promises';
import { loadCa, signCsr } from '../../pki/index.js';
import type { CertificateAuthority, CsrPolicy, PkiDeps, SignOutcome } from '../../pki/index.js';

export interface CsrSigner {
  /** Signs a PEM CSR if the policy allows its subject; validityMs absent = the PKI default (1 year), always capped by the CA. */
  sign(csrPem: string, policy: CsrPolicy, validityMs: number | undefined): Promise<SignOutcome>;
}

export function caCsrSigner(ca: CertificateAuthority, deps: PkiDeps): CsrSigner {
  return {
    sign: (csrPem, policy, validityMs) => signCsr(ca, csrPem, policy, validityMs === undefined ? {} : { validityMs }, deps),
  };
}

export class CsrSignerError extends Error {
  override readonly name = 'CsrSignerError';
  readonly code = 'signing-ca-unusable';
}

/** Reads the signing CA's files; an error names the file and what is wrong with it (never its content). */
export async function loadCsrSigner(files: { readonly certFile: string; readonly keyFile: string }, deps: PkiDeps): Promise<CsrSigner> {
  const read = async (path: string, flag: string): Promise<string> => {
    try {
      return await readFile(path, 'utf8');
    } catch (e) {
      throw new CsrSignerError(`--${flag} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
    }
  };
  const certPem = await read(files.certFile, 'api-cluster-signing-cert-file');
  const keyPem = await read(files.keyFile, 'api-cluster-signing-key-file');
  try {
    return caCsrSigner(await loadCa(certPem, keyPem), deps);
  } catch (e) {
    throw new CsrSignerError(`the cluster signing CA (${files.certFile}, ${files.keyFile}): ${(e as Error).message}`, { cause: e });
  }
}
