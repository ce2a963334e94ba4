import { generateKeyPairSync, randomBytes, sign } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import forge from 'node-forge'

/**
 * A throwaway CA and one server certificate it signed, covering every host the stand-in plays; and
 * the RSA key the stand-in signs its tokens with (jwt.ts).
 */
export interface TestPki {
  readonly caCertPem: string
  readonly serverCertPem: string
  readonly serverKeyPem: string
  /** PKCS#1 PEM. */
  readonly jwtKeyPem: string
}

export const ServerDnsNames: readonly string[] = [
  '*.vault.azure.net',
  '*.vault.azure.cn',
  '*.vault.usgovcloudapi.net',
  'login.microsoftonline.com',
  'login.chinacloudapi.cn',
  'login.microsoftonline.us',
  // MSAL sends China token requests here (see clouds.ts).
  'login.partner.microsoftonline.cn',
  '*.actions.githubusercontent.com',
  'token.actions.githubusercontent.com',
  // The REST API: GitHub's, and the GitHub Enterprise Server the stand-in plays (see github-rest.ts).
  'api.github.com',
  'github.contoso-ghes.test',
  'localhost'
]

const DAY_MS = 24 * 60 * 60 * 1000

interface KeyPair {
  /** For forge, which builds the certificates. */
  readonly publicKey: forge.pki.PublicKey
  /** PKCS#1 PEM, for node:crypto, which signs. */
  readonly privateKeyPem: string
}

// node-forge's RSA is slow pure JS (seconds per key and per signature, in every test file that starts
// a stand-in): node:crypto makes the keys and the signatures, forge only lays out the certificates.
function rsaKeyPair(): KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' }
  })
  return { publicKey: forge.pki.publicKeyFromPem(publicKey), privateKeyPem: privateKey }
}

/**
 * `cert.sign` with SHA-256 and RSA (PKCS#1 v1.5), the signature made by node:crypto: forge hands
 * the DER of the TBSCertificate to the digest's update and asks the key to sign the digest.
 */
function signCertificate(cert: forge.pki.Certificate, issuerKeyPem: string): void {
  let tbs = ''
  const digest = {
    algorithm: 'sha256',
    update(bytes: string) {
      tbs += bytes
      return digest
    }
  }
  const key = { sign: (): string => sign('sha256', Buffer.from(tbs, 'binary'), issuerKeyPem).toString('binary') }
  cert.sign(key as unknown as forge.pki.rsa.PrivateKey, digest as unknown as forge.md.MessageDigest)
}

function serialNumber(): string {
  // A positive serial: clear the top bit so DER does not read it as negative.
  const bytes = randomBytes(16)
  bytes[0] = (bytes[0] ?? 0) & 0x7f
  return bytes.toString('hex')
}

function createCertificate(publicKey: forge.pki.PublicKey, subjectCn: string): forge.pki.Certificate {
  const cert = forge.pki.createCertificate()
  cert.publicKey = publicKey
  cert.serialNumber = serialNumber()
  cert.validity.notBefore = new Date(Date.now() - DAY_MS)
  cert.validity.notAfter = new Date(Date.now() + 30 * DAY_MS)
  cert.setSubject([
    { name: 'commonName', value: subjectCn },
    { name: 'organizationName', value: 'keyvault-secrets-action stand-in' }
  ])
  return cert
}

function generatePki(): TestPki {
  const caKeys = rsaKeyPair()
  const ca = createCertificate(caKeys.publicKey, 'Stand-in Test Root CA')
  ca.setIssuer(ca.subject.attributes)
  ca.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' }
  ])
  signCertificate(ca, caKeys.privateKeyPem)

  const serverKeys = rsaKeyPair()
  const server = createCertificate(serverKeys.publicKey, 'stand-in.vault.azure.net')
  server.setIssuer(ca.subject.attributes)
  server.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [...ServerDnsNames.map((value) => ({ type: 2, value })), { type: 7, ip: '127.0.0.1' }]
    },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: ca.generateSubjectKeyIdentifier().getBytes() }
  ])
  signCertificate(server, caKeys.privateKeyPem)

  return {
    caCertPem: forge.pki.certificateToPem(ca),
    serverCertPem: forge.pki.certificateToPem(server),
    serverKeyPem: serverKeys.privateKeyPem,
    jwtKeyPem: rsaKeyPair().privateKeyPem
  }
}

let cached: TestPki | undefined

/**
 * jest's global setup (__tests__/support/global-setup.ts) makes one PKI for the whole run and hands
 * it to every worker in this variable, as the JSON of a TestPki; each test file then skips making
 * RSA keys of its own. Only the test processes read it: no action run is given it.
 */
export const SharedPkiVariable = 'STANDIN_TEST_PKI'

/** One PKI per run (or per process, outside jest): making RSA keys takes a moment, and nothing depends on fresh ones. */
export function testPki(): TestPki {
  cached ??= sharedPki() ?? generatePki()
  return cached
}

/** A new PKI, as the JSON SharedPkiVariable takes. */
export function sharedPkiJson(): string {
  return JSON.stringify(generatePki())
}

function sharedPki(): TestPki | undefined {
  const json = process.env[SharedPkiVariable]
  if (!json) return undefined
  const pki = JSON.parse(json) as Partial<TestPki>
  const fields = ['caCertPem', 'serverCertPem', 'serverKeyPem', 'jwtKeyPem'] as const
  if (!fields.every((field) => typeof pki[field] === 'string'))
    throw new Error(`${SharedPkiVariable} is not a PKI of the stand-in's (it needs ${fields.join(', ')})`)
  return pki as TestPki
}

/** Writes the CA certificate where a child process can read it through NODE_EXTRA_CA_CERTS. */
export function writeCaFile(pki: TestPki): { dir: string; caFile: string } {
  const dir = mkdtempSync(join(tmpdir(), 'standin-ca-'))
  const caFile = join(dir, 'standin-ca.pem')
  writeFileSync(caFile, pki.caCertPem)
  return { dir, caFile }
}
