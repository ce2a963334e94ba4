import type { X509Certificate } from 'node:crypto'
import type { Bundle } from './bundle.js'

/** What output `certificates` says of each entry that selected a part: its leaf certificate. */
export interface CertificateInfo {
  readonly subject: string
  readonly issuer: string
  /** SHA-1 of the DER, upper-case hex without colons, as the portal shows it. */
  readonly thumbprint: string
  /** SHA-256 of the DER, likewise. */
  readonly sha256: string
  readonly notBefore: Date
  readonly notAfter: Date
}

// A name comes from the vault: bounded, one line.
const MaxName = 256

/** `CN=site.example.com, O=Contoso`: the name's lines joined, control characters as spaces, at most 256 characters. */
function nameOf(text: string): string {
  const line = text
    .split('\n')
    .map((part) => part.replace(/[\p{Cc}\p{Cf}]+/gu, ' ').trim())
    .filter(Boolean)
    .join(', ')
  return line.length > MaxName ? `${line.slice(0, MaxName - 1)}…` : line
}

const hex = (fingerprint: string): string => fingerprint.replace(/:/g, '').toUpperCase()

export function certificateInfo({ leaf }: Pick<Bundle, 'leaf'>): CertificateInfo {
  return infoOf(leaf)
}

function infoOf(certificate: X509Certificate): CertificateInfo {
  return {
    subject: nameOf(certificate.subject),
    issuer: nameOf(certificate.issuer),
    thumbprint: hex(certificate.fingerprint),
    sha256: hex(certificate.fingerprint256),
    notBefore: certificate.validFromDate,
    notAfter: certificate.validToDate
  }
}

/** The object output `certificates` holds for one entry (dates ISO 8601). */
export const certificateJson = (info: CertificateInfo): Record<string, string> => ({
  subject: info.subject,
  issuer: info.issuer,
  thumbprint: info.thumbprint,
  sha256: info.sha256,
  notBefore: info.notBefore.toISOString(),
  notAfter: info.notAfter.toISOString()
})
