import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto'

/**
 * A certificate as its secret holds it, whatever the order of its blocks: the private key (when
 * the secret has it), the leaf (the certificate whose public key matches the key) and the other
 * certificates, the issuers first, from the leaf's issuer up.
 */
export interface Bundle {
  readonly key?: KeyObject
  readonly leaf: X509Certificate
  readonly chain: readonly X509Certificate[]
}

/** Why a secret's value gives no certificate, or not the part asked for: said of the value, never quoting it. */
export class CertificateProblem extends Error {
  override readonly name = 'CertificateProblem'
}

// Key Vault's PEM layout is PKCS#8, then the leaf, then the chain; other tools write PKCS#1 or SEC 1 keys.
const KeyLabels: ReadonlySet<string> = new Set(['PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY'])
const Block = /-----BEGIN ([A-Z0-9 ]{1,40})-----([\s\S]*?)-----END \1-----/g
const MaxBlocks = 64

/** The key and certificates of PEM text, in any order; other blocks (EC PARAMETERS, ...) are ignored. */
export function bundleFromPem(text: string): Bundle {
  const keys: KeyObject[] = []
  const certificates: X509Certificate[] = []
  let blocks = 0
  for (const [block, label = '', body = ''] of text.matchAll(Block)) {
    if (++blocks > MaxBlocks) throw new CertificateProblem(`it holds more than ${MaxBlocks} PEM blocks`)
    if (label === 'ENCRYPTED PRIVATE KEY' || (KeyLabels.has(label) && body.includes('Proc-Type:')))
      throw new CertificateProblem(
        `its private key is encrypted with a password (${label === 'ENCRYPTED PRIVATE KEY' ? label : `${label} with Proc-Type`}), and the action opens unencrypted keys only`
      )
    if (label === 'CERTIFICATE') certificates.push(parsed(() => new X509Certificate(block), 'a CERTIFICATE block'))
    else if (KeyLabels.has(label)) keys.push(parsed(() => createPrivateKey(block), `a ${label} block`))
  }
  if (blocks === 0) throw new CertificateProblem('it holds no PEM block (-----BEGIN ...-----)')
  return arrange(keys, certificates)
}

/** A key (PKCS#8 DER) and certificates (DER), as a PKCS#12 file holds them. */
export function bundleFromDer(keys: readonly Uint8Array[], certificates: readonly Uint8Array[]): Bundle {
  return arrange(
    keys.map((key) => parsed(() => createPrivateKey({ key: Buffer.from(key), format: 'der', type: 'pkcs8' }), 'a key')),
    certificates.map((der) => parsed(() => new X509Certificate(der), 'a certificate'))
  )
}

function parsed<T>(make: () => T, what: string): T {
  try {
    return make()
  } catch {
    throw new CertificateProblem(`it holds ${what} that cannot be read`)
  }
}

const matches = (certificate: X509Certificate, key: KeyObject): boolean => {
  try {
    return certificate.checkPrivateKey(key)
  } catch {
    return false
  }
}

const issuedBy = (certificate: X509Certificate, issuer: X509Certificate): boolean => {
  try {
    return certificate.checkIssued(issuer) && certificate.verify(issuer.publicKey)
  } catch {
    return false
  }
}

/** One key at most; the leaf is the certificate it matches (without a key: the one that issued none of the others). */
function arrange(keys: readonly KeyObject[], all: readonly X509Certificate[]): Bundle {
  const certificates = all.filter(
    (certificate, index) => all.findIndex((other) => other.fingerprint256 === certificate.fingerprint256) === index
  )
  if (certificates.length === 0) throw new CertificateProblem('it holds no certificate')
  if (keys.length > 1) throw new CertificateProblem(`it holds ${keys.length} private keys, where a certificate has one`)
  const [key] = keys
  const leaf = key
    ? certificates.find((certificate) => matches(certificate, key))
    : (certificates.find(
        (candidate) => !certificates.some((other) => other !== candidate && issuedBy(other, candidate))
      ) ?? certificates[0])
  if (!leaf) throw new CertificateProblem('none of its certificates matches its private key')
  return { ...(key && { key }), leaf, chain: issuerOrder(leaf, certificates) }
}

/** From the leaf's issuer up to the root; certificates that are no one's issuer follow, in their order. */
function issuerOrder(leaf: X509Certificate, certificates: readonly X509Certificate[]): X509Certificate[] {
  const rest = certificates.filter((certificate) => certificate !== leaf)
  const chain: X509Certificate[] = []
  for (let current = leaf; !issuedBy(current, current);) {
    const index = rest.findIndex((candidate) => issuedBy(current, candidate))
    const [issuer] = index < 0 ? [] : rest.splice(index, 1)
    if (!issuer) break
    chain.push(issuer)
    current = issuer
  }
  return [...chain, ...rest]
}
