import { createHash, webcrypto } from 'node:crypto'
import { bundleFromDer, CertificateProblem, type Bundle } from './bundle.js'

/*
 * PKCS#12 (PFX) both ways, with pkijs over Node's WebCrypto: opening a PFX that Key Vault did not
 * convert to PEM, and building one from PEM for `#pfx`. Loaded only when a part needs it, so a
 * plain `get` never loads it (ncc puts it in a chunk of its own).
 */

const Bags = {
  key: '1.2.840.113549.1.12.10.1.1',
  shroudedKey: '1.2.840.113549.1.12.10.1.2',
  certificate: '1.2.840.113549.1.12.10.1.3'
} as const
const LocalKeyId = '1.2.840.113549.1.9.21'

// The PKCS#12 algorithms of old (PKCS#12 appendix C): Windows and OpenSSL 1.x wrote them by default.
const LegacyAlgorithms: Readonly<Record<string, string>> = {
  '1.2.840.113549.1.12.1.1': 'pbeWithSHAAnd128BitRC4',
  '1.2.840.113549.1.12.1.2': 'pbeWithSHAAnd40BitRC4',
  '1.2.840.113549.1.12.1.3': 'pbeWithSHAAnd3-KeyTripleDES-CBC',
  '1.2.840.113549.1.12.1.4': 'pbeWithSHAAnd2-KeyTripleDES-CBC',
  '1.2.840.113549.1.12.1.5': 'pbeWithSHAAnd128BitRC2-CBC',
  '1.2.840.113549.1.12.1.6': 'pbeWithSHAAnd40BitRC2-CBC'
}

/** What OpenSSL 3 writes for `pkcs12 -export -passout pass:`: AES-256-CBC under PBKDF2-HMAC-SHA256, a SHA-256 MAC. */
const Protection = {
  contentEncryptionAlgorithm: { name: 'AES-CBC', length: 256 },
  hmacHashAlgorithm: 'SHA-256',
  iterationCount: 2048
} as const

// No password: the empty one, as `-passin pass:` and Windows' "no password" mean it.
const NoPassword = new ArrayBuffer(0)

async function loadPkijs() {
  const [pkijs, asn1js] = await Promise.all([import('pkijs'), import('asn1js')])
  pkijs.setEngine('node', new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto }))
  return { pkijs, asn1js }
}

interface Decryptable {
  parseInternalValues(parameters: { password: ArrayBuffer }): Promise<void>
}

const arrayBuffer = (bytes: Uint8Array): ArrayBuffer =>
  bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer

/** The key and certificates of a PFX without a password. */
export async function openPfx(der: Uint8Array): Promise<Bundle> {
  const { pkijs } = await loadPkijs()
  const keys: Uint8Array[] = []
  const certificates: Uint8Array[] = []
  try {
    const pfx = pkijs.PFX.fromBER(arrayBuffer(der))
    await pfx.parseInternalValues({ password: NoPassword, checkIntegrity: pfx.macData !== undefined })
    const safe = pfx.parsedValue?.authenticatedSafe
    if (!safe) throw new Error('no authenticated safe')
    await safe.parseInternalValues({ safeContents: safe.safeContents.map(() => ({ password: NoPassword })) })
    const parsed = safe.parsedValue as
      { safeContents?: { value: InstanceType<typeof pkijs.SafeContents> }[] } | undefined
    const contents = parsed?.safeContents ?? []
    for (const { value } of contents)
      for (const bag of value.safeBags) {
        if (bag.bagId === Bags.shroudedKey) {
          // Public in pkijs' code and examples, typed protected.
          const shrouded = bag.bagValue as InstanceType<typeof pkijs.PKCS8ShroudedKeyBag> & Decryptable
          await shrouded.parseInternalValues({ password: NoPassword })
          if (shrouded.parsedValue) keys.push(new Uint8Array(shrouded.parsedValue.toSchema().toBER(false)))
        } else if (bag.bagId === Bags.key) {
          keys.push(new Uint8Array((bag.bagValue as InstanceType<typeof pkijs.PrivateKeyInfo>).toSchema().toBER(false)))
        } else if (bag.bagId === Bags.certificate) {
          const parsed = (bag.bagValue as InstanceType<typeof pkijs.CertBag>).parsedValue as unknown
          if (parsed instanceof pkijs.Certificate) certificates.push(new Uint8Array(parsed.toSchema().toBER(false)))
        }
      }
  } catch (error) {
    throw pfxProblem(error)
  }
  return bundleFromDer(keys, certificates)
}

/** Says why a PFX could not be opened, in words about the file (pkijs' own message never reaches the user). */
function pfxProblem(error: unknown): CertificateProblem {
  const message = error instanceof Error ? error.message : ''
  const oid = /contentEncryptionAlgorithm"?: ?([0-9.]+)/.exec(message)?.[1]
  if (oid && LegacyAlgorithms[oid])
    return new CertificateProblem(
      `it is a PKCS#12 file encrypted with ${LegacyAlgorithms[oid]}, a legacy algorithm the action cannot open itself ` +
        '(Key Vault converts the secrets of its certificates to PEM; this one it did not). Import it as a Key Vault certificate, ' +
        'or store it again encrypted with AES-256 (openssl pkcs12 -export, OpenSSL 3)'
    )
  if (/integrity/i.test(message))
    return new CertificateProblem(
      'it is a PKCS#12 file protected by a password, and the action opens PKCS#12 files without a password only'
    )
  return new CertificateProblem('it is not a PKCS#12 file the action can read')
}

/** A PFX without a password holding the key, the leaf and the chain, the key and leaf tied by their localKeyID. */
export async function buildPfx(bundle: Bundle): Promise<Buffer> {
  if (!bundle.key) throw new CertificateProblem('it holds no private key, and a PFX is the certificate with its key')
  const { pkijs, asn1js } = await loadPkijs()
  const leafDer = new Uint8Array(bundle.leaf.raw)
  const keyId = createHash('sha1').update(leafDer).digest()
  const tie = () => [
    new pkijs.Attribute({ type: LocalKeyId, values: [new asn1js.OctetString({ valueHex: arrayBuffer(keyId) })] })
  ]
  const keyDer = new Uint8Array(bundle.key.export({ type: 'pkcs8', format: 'der' }))
  const shrouded = new pkijs.PKCS8ShroudedKeyBag({ parsedValue: pkijs.PrivateKeyInfo.fromBER(arrayBuffer(keyDer)) })
  await shrouded.makeInternalValues({ password: NoPassword, ...Protection })
  const certificateBags = [bundle.leaf, ...bundle.chain].map(
    (certificate, index) =>
      new pkijs.SafeBag({
        bagId: Bags.certificate,
        bagValue: new pkijs.CertBag({
          parsedValue: pkijs.Certificate.fromBER(arrayBuffer(new Uint8Array(certificate.raw)))
        }),
        ...(index === 0 && { bagAttributes: tie() })
      })
  )
  const keyBag = new pkijs.SafeBag({ bagId: Bags.shroudedKey, bagValue: shrouded, bagAttributes: tie() })
  const authenticatedSafe = new pkijs.AuthenticatedSafe({
    parsedValue: {
      safeContents: [
        { privacyMode: 1, value: new pkijs.SafeContents({ safeBags: certificateBags }) },
        { privacyMode: 0, value: new pkijs.SafeContents({ safeBags: [keyBag] }) }
      ]
    }
  })
  await authenticatedSafe.makeInternalValues({ safeContents: [{ password: NoPassword, ...Protection }, {}] })
  const pfx = new pkijs.PFX({ parsedValue: { integrityMode: 0, authenticatedSafe } })
  await pfx.makeInternalValues({
    password: NoPassword,
    iterations: Protection.iterationCount,
    pbkdf2HashAlgorithm: Protection.hmacHashAlgorithm,
    hmacHashAlgorithm: Protection.hmacHashAlgorithm
  })
  return Buffer.from(pfx.toSchema().toBER(false))
}
