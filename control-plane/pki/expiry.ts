// What `certs check-expiration` shows for each certificate.
import * as x509 from './x509.js';
import { parseCertificate } from './certificate-authority.js';
import { DAY_MS } from './validity.js';

export interface CertificateExpiry {
  subject: string;
  issuer: string;
  notBefore: Date;
  notAfter: Date;
  /** Whole days until notAfter (negative once expired). */
  daysLeft: number;
  expired: boolean;
  /** now is before notBefore (a clock far behind, or a certificate from the future). */
  notYetValid: boolean;
  isCa: boolean;
}

export function inspectCertificate(pem: string, now: Date): CertificateExpiry {
  const cert = parseCertificate(pem);
  const left = cert.notAfter.getTime() - now.getTime();
  return {
    subject: cert.subject,
    issuer: cert.issuer,
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
    daysLeft: Math.floor(left / DAY_MS),
    expired: left <= 0,
    notYetValid: now < cert.notBefore,
    isCa: cert.getExtension(x509.BasicConstraintsExtension)?.ca === true,
  };
}
