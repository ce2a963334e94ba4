/**
 * Test certificates, made with the machine's OpenSSL (3.0 or later) when a test starts: a root, an
 * intermediate issued by it, and leaves issued by the intermediate (EC P-256 and RSA 2048), with
 * the PFX files and the PEM secrets Key Vault holds for them. Also the checks the tests make with
 * openssl on what the action wrote: does the key match the certificate, is the chain its issuer,
 * does the PFX open without a password.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface Issued {
  /** The private key, PKCS#8 PEM (as Key Vault's PEM holds it). */
  readonly key: string
  readonly cert: string
}

export interface TestPki {
  readonly dir: string
  readonly root: Issued
  readonly intermediate: Issued
  /** Issued by the intermediate. */
  readonly ecLeaf: Issued
  readonly rsaLeaf: Issued
  /** PEM: the intermediate, then the root (issuer order from a leaf). */
  readonly chain: string
  /** Issues another leaf by the intermediate; `days: -1` makes one that expired yesterday. */
  leaf(name: string, options?: { readonly days?: number; readonly rsa?: boolean }): Issued
  /** A PFX of the leaf with the chain, no password, as `openssl pkcs12 -export -passout pass:` writes it. */
  pfx(
    leaf: Issued,
    options?: { readonly chain?: boolean; readonly password?: string; readonly extra?: readonly string[] }
  ): Buffer
  /** What Key Vault answers for the leaf's PFX with `outContentType=application/x-pem-file`: key (PKCS#8), leaf, chain. */
  servicePem(leaf: Issued): string
  remove(): void
}

export function openssl(args: readonly string[], input?: string | Buffer): string {
  return execFileSync('openssl', args, { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] })
}

/** Runs openssl and returns its exit status and both outputs, without throwing. */
export function tryOpenssl(args: readonly string[]): { status: number; stdout: string; stderr: string } {
  try {
    return { status: 0, stdout: openssl(args), stderr: '' }
  } catch (error) {
    const failed = error as { status?: number; stdout?: string; stderr?: string }
    return { status: failed.status ?? 1, stdout: String(failed.stdout ?? ''), stderr: String(failed.stderr ?? '') }
  }
}

export function makePki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'kv-certs-'))
  const path = (name: string): string => join(dir, name)
  const read = (name: string): string => readFileSync(path(name), 'utf8')
  const newKey = (name: string, rsa = false): void => {
    openssl([
      'genpkey',
      ...(rsa
        ? ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048']
        : ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256']),
      '-out',
      path(`${name}.key`)
    ])
  }
  writeFileSync(path('ca.ext'), 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n')
  writeFileSync(path('leaf.ext'), 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n')

  newKey('root')
  openssl([
    'req',
    '-x509',
    '-new',
    '-key',
    path('root.key'),
    '-subj',
    '/CN=Contoso Test Root CA',
    '-days',
    '3650',
    '-out',
    path('root.pem'),
    '-addext',
    'basicConstraints=critical,CA:TRUE'
  ])
  const issue = (
    name: string,
    subject: string,
    issuer: string,
    days: number,
    extensions: string,
    rsa = false
  ): Issued => {
    newKey(name, rsa)
    openssl(['req', '-new', '-key', path(`${name}.key`), '-subj', subject, '-out', path(`${name}.csr`)])
    openssl([
      'x509',
      '-req',
      '-in',
      path(`${name}.csr`),
      '-CA',
      path(`${issuer}.pem`),
      '-CAkey',
      path(`${issuer}.key`),
      '-CAcreateserial',
      '-days',
      String(days),
      '-extfile',
      path(extensions),
      '-out',
      path(`${name}.pem`)
    ])
    return { key: read(`${name}.key`), cert: read(`${name}.pem`) }
  }
  const root = { key: read('root.key'), cert: read('root.pem') }
  const intermediate = issue('intermediate', '/CN=Contoso Test Issuing CA/O=Contoso', 'root', 3650, 'ca.ext')
  const chain = intermediate.cert + root.cert
  writeFileSync(path('chain.pem'), chain)
  let pfxCount = 0

  return {
    dir,
    root,
    intermediate,
    chain,
    ecLeaf: issue('ec-leaf', '/CN=site.contoso.example/O=Contoso', 'intermediate', 90, 'leaf.ext'),
    rsaLeaf: issue('rsa-leaf', '/CN=signing.contoso.example/O=Contoso', 'intermediate', 90, 'leaf.ext', true),
    leaf: (name, options = {}) =>
      issue(name, `/CN=${name}.contoso.example`, 'intermediate', options.days ?? 90, 'leaf.ext', options.rsa),
    pfx: (leaf, options = {}) => {
      const base = path(`pfx-${++pfxCount}`)
      writeFileSync(`${base}.key`, leaf.key)
      writeFileSync(`${base}.pem`, leaf.cert)
      openssl([
        'pkcs12',
        '-export',
        '-inkey',
        `${base}.key`,
        '-in',
        `${base}.pem`,
        ...(options.chain === false ? [] : ['-certfile', path('chain.pem')]),
        '-passout',
        `pass:${options.password ?? ''}`,
        ...(options.extra ?? []),
        '-out',
        `${base}.pfx`
      ])
      return readFileSync(`${base}.pfx`)
    },
    servicePem: (leaf) => leaf.key + leaf.cert + chain,
    remove: () => rmSync(dir, { recursive: true, force: true })
  }
}

/** The public key of a private key and of a certificate, as openssl prints them: equal when they match. */
export function publicKeys(keyFile: string, certFile: string): { fromKey: string; fromCert: string } {
  return {
    fromKey: openssl(['pkey', '-in', keyFile, '-pubout']),
    fromCert: openssl(['x509', '-in', certFile, '-pubkey', '-noout'])
  }
}

/** The subjects of the certificates of a PEM file, in order. */
export function subjectsOf(pemFile: string): string[] {
  const text = readFileSync(pemFile, 'utf8')
  return [...text.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----\n?/g)].map((match) =>
    openssl(['x509', '-noout', '-subject', '-nameopt', 'RFC2253'], match[0])
      .trim()
      .replace(/^subject=/, '')
  )
}
