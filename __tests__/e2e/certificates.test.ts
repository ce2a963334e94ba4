/**
 * Parts of certificates (`name#key`, `#cert`, `#chain`, `#fullchain`, `#pem`, `#pfx`) and binary
 * secrets (`#base64`, `#hex`), end to end: the committed dist/index.js against the stand-in, the
 * certificates made with openssl when the file starts, and every part written checked with openssl
 * (the key matches the certificate, the chain is its issuer, the PFX opens without a password),
 * then removed by the post step.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals'
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs'
import { dirname } from 'node:path'
import {
  makePki,
  openssl,
  publicKeys,
  subjectsOf,
  tryOpenssl,
  type Issued,
  type TestPki
} from '../support/certificates.js'
import {
  CLIENT as HOSTILE_CLIENT,
  ReadTimeRefusals,
  SP_SECRET,
  STORED_VALUE,
  TENANT as HOSTILE_TENANT
} from '../support/hostile-inputs.js'
import { assertNoLeak, runAction, runPost, type RunOptions, type RunResult } from '../support/runner.js'
import { StandIn } from '../support/standin/index.js'

jest.setTimeout(120_000)

const TENANT = '11111111-1111-1111-1111-111111111111'
const APP = '22222222-2222-2222-2222-222222222222'
const VAULT = 'contoso-kv'
const PKCS12 = 'application/x-pkcs12'
const PEM = 'application/x-pem-file'
const DAY = 86_400_000

let s: StandIn
let pki: TestPki
const kept: string[] = []

beforeAll(async () => {
  s = await StandIn.start()
  pki = makePki()
})
afterAll(async () => {
  await s.stop()
  pki.remove()
})
beforeEach(() => {
  s.reset()
  s.github.subject = 'repo:octo-org/app:ref:refs/heads/main'
  s.addVault({ name: VAULT, tenantId: TENANT, grants: { [APP]: ['get'] } })
  s.addOidcApp(TENANT, APP)
})
afterEach(() => {
  for (const dir of kept.splice(0)) rmSync(dir, { recursive: true, force: true })
})

async function run(
  inputs: Readonly<Record<string, string>>,
  options: Omit<RunOptions, 'inputs' | 'standin'> = {}
): Promise<RunResult> {
  const r = await runAction({
    ...options,
    inputs: { 'vault-name': VAULT, 'client-id': APP, 'tenant-id': TENANT, ...inputs },
    standin: s,
    env: s.oidcEnv(),
    keepWorkDir: true
  })
  kept.push(dirname(r.workDir))
  return r
}

function expectSuccess(r: RunResult): void {
  expect({ exitCode: r.exitCode, errors: r.errors }).toEqual({ exitCode: 0, errors: [] })
}

const pathsOf = (r: RunResult): Record<string, string> => JSON.parse(r.outputs.files ?? '{}') as Record<string, string>

/** The lines of PEM text that hold key or certificate bytes (the BEGIN/END lines are the same for every PEM). */
const bodyLines = (pem: string): string[] => pem.split('\n').filter((line) => line !== '' && !line.startsWith('-----'))

const count = (text: string, label: string): number => text.split(`-----BEGIN ${label}-----`).length - 1

/** The post step removes every file the step wrote. */
async function expectRemovedByPost(r: RunResult, paths: readonly string[]): Promise<void> {
  for (const path of paths) expect(existsSync(path)).toBe(true)
  const post = await runPost(r.state, { standin: s })
  expect({ exitCode: post.exitCode, errors: post.errors, warnings: post.warnings }).toEqual({
    exitCode: 0,
    errors: [],
    warnings: []
  })
  for (const path of paths) expect(existsSync(path)).toBe(false)
}

/** openssl's view of the key and certificate files: the key matches, and `chain` verifies the certificate. */
function expectKeyMatchesAndChainIssues(keyFile: string, certFile: string, chainFile: string): void {
  const { fromKey, fromCert } = publicKeys(keyFile, certFile)
  expect(fromKey).toBe(fromCert)
  expect(tryOpenssl(['verify', '-CAfile', chainFile, certFile])).toMatchObject({
    status: 0,
    stdout: `${certFile}: OK\n`
  })
}

/** The PFX opens with an empty password and holds one key, matching its leaf, and these certificates. */
function expectPfxOpens(pfxFile: string, leaf: Issued, certificates: number): void {
  const opened = tryOpenssl(['pkcs12', '-in', pfxFile, '-passin', 'pass:', '-noenc'])
  expect(opened.status).toBe(0)
  expect(count(opened.stdout, 'PRIVATE KEY')).toBe(1)
  expect(count(opened.stdout, 'CERTIFICATE')).toBe(certificates)
  const key = openssl(['pkcs12', '-in', pfxFile, '-passin', 'pass:', '-noenc', '-nocerts'])
  const cert = openssl(['pkcs12', '-in', pfxFile, '-passin', 'pass:', '-clcerts', '-nokeys'])
  expect(openssl(['pkey', '-pubout'], key)).toBe(openssl(['pkey', '-pubout'], leaf.key))
  expect(openssl(['x509', '-noout', '-fingerprint', '-sha256'], cert)).toBe(
    openssl(['x509', '-noout', '-fingerprint', '-sha256'], leaf.cert)
  )
}

const fingerprint = (cert: string, digest: 'sha1' | 'sha256'): string =>
  (openssl(['x509', '-noout', '-fingerprint', `-${digest}`], cert).split('=')[1] ?? '').trim().replace(/:/g, '')

describe('parts of a certificate', () => {
  it('a PKCS#12 certificate with an intermediate chain: Key Vault converts it, every part checked with openssl, the PFX as stored, all removed by the post step', async () => {
    const pfx = pki.pfx(pki.ecLeaf)
    s.vault(VAULT).setSecret('site-cert', pfx.toString('base64'), {
      certificate: true,
      contentType: PKCS12,
      pem: pki.servicePem(pki.ecLeaf)
    })
    const r = await run({
      secrets: 'site-cert#cert\nTLS_KEY=site-cert#key',
      'export-env': 'true',
      files: [
        'tls/site.key=site-cert#key',
        'tls/site.crt=site-cert#cert',
        'tls/chain.pem=site-cert#chain',
        'tls/fullchain.pem=site-cert#fullchain',
        'tls/site.pem=site-cert#pem',
        'tls/site.pfx=site-cert#pfx'
      ].join('\n')
    })
    expectSuccess(r)
    const paths = pathsOf(r)
    const file = (entry: string): string => paths[entry] ?? ''
    const read = (entry: string): string => readFileSync(file(entry), 'utf8')

    expectKeyMatchesAndChainIssues(
      file('tls/site.key=site-cert#key'),
      file('tls/site.crt=site-cert#cert'),
      file('tls/chain.pem=site-cert#chain')
    )
    expect(read('tls/site.key=site-cert#key')).toMatch(
      /^-----BEGIN PRIVATE KEY-----\n[\s\S]*-----END PRIVATE KEY-----\n$/
    )
    expect(read('tls/site.crt=site-cert#cert')).toBe(pki.ecLeaf.cert)
    expect(subjectsOf(file('tls/chain.pem=site-cert#chain'))).toEqual([
      'O=Contoso,CN=Contoso Test Issuing CA',
      'CN=Contoso Test Root CA'
    ])
    expect(read('tls/fullchain.pem=site-cert#fullchain')).toBe(pki.ecLeaf.cert + pki.chain)
    expect(read('tls/site.pem=site-cert#pem')).toBe(read('tls/site.key=site-cert#key') + pki.ecLeaf.cert + pki.chain)
    expect(readFileSync(file('tls/site.pfx=site-cert#pfx'))).toEqual(pfx)
    expectPfxOpens(file('tls/site.pfx=site-cert#pfx'), pki.ecLeaf, 3)
    for (const path of Object.values(paths)) expect(statSync(path).mode & 0o777).toBe(0o600)

    // Outputs and variables: a part without an alias is named as a JSON field is.
    expect(r.outputs['site-cert_cert']).toBe(pki.ecLeaf.cert)
    expect(r.outputs.TLS_KEY).toBe(read('tls/site.key=site-cert#key'))
    expect(r.env.TLS_KEY).toBe(r.outputs.TLS_KEY)
    expect(r.env.SITE_CERT_CERT).toBe(pki.ecLeaf.cert)

    // Key Vault was asked for the PEM of the version read, once for the eight entries.
    const conversions = s.requestsTo('vault', 'GET').filter((request) => request.query.outContentType === PEM)
    expect(conversions.map((request) => request.path)).toEqual([
      `/secrets/site-cert/${s.vault(VAULT).latest('site-cert')?.version}`
    ])

    const certificates = JSON.parse(r.outputs.certificates ?? '{}') as Record<string, Record<string, string>>
    expect(Object.keys(certificates).sort()).toEqual(
      ['site-cert#cert', 'TLS_KEY=site-cert#key', ...Object.keys(paths)].sort()
    )
    expect(certificates['site-cert#cert']).toEqual({
      subject: 'CN=site.contoso.example, O=Contoso',
      issuer: 'CN=Contoso Test Issuing CA, O=Contoso',
      thumbprint: fingerprint(pki.ecLeaf.cert, 'sha1'),
      sha256: fingerprint(pki.ecLeaf.cert, 'sha256'),
      notBefore: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/),
      notAfter: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/)
    })
    expect(r.summary).toContain(
      `CN=site.contoso.example, O=Contoso, valid until ${certificates['site-cert#cert']?.notAfter}`
    )
    expect(r.log.join('\n')).toContain("Read the certificate part 'cert' of secret 'site-cert'")

    // Masked line by line, the key's and every certificate's, as Key Vault sent them and as written.
    for (const line of [...bodyLines(read('tls/site.pem=site-cert#pem')), pfx.toString('base64')])
      expect(r.masks).toContain(line)
    assertNoLeak(r, [pki.ecLeaf.key, read('tls/site.key=site-cert#key'), pfx.toString('base64')], { perLine: true })
    await expectRemovedByPost(r, Object.values(paths))
  })

  it('a PEM certificate whose blocks are in another order (chain, key, leaf): parts in order, and a PFX built here that opens without a password', async () => {
    const { rsaLeaf, chain } = pki
    s.vault(VAULT).setSecret('signing-cert', chain + rsaLeaf.key + rsaLeaf.cert, {
      certificate: true,
      contentType: PEM
    })
    const r = await run({
      files: [
        'sign/key.pem=signing-cert#key',
        'sign/cert.pem=signing-cert#cert',
        'sign/chain.pem=signing-cert#chain',
        'sign/fullchain.pem=signing-cert#fullchain',
        'sign/all.pem=signing-cert#pem',
        'sign/signing.pfx=signing-cert#pfx'
      ].join('\n')
    })
    expectSuccess(r)
    const paths = pathsOf(r)
    const file = (entry: string): string => paths[`sign/${entry}`] ?? ''
    expectKeyMatchesAndChainIssues(
      file('key.pem=signing-cert#key'),
      file('cert.pem=signing-cert#cert'),
      file('chain.pem=signing-cert#chain')
    )
    expect(readFileSync(file('cert.pem=signing-cert#cert'), 'utf8')).toBe(rsaLeaf.cert)
    expect(readFileSync(file('fullchain.pem=signing-cert#fullchain'), 'utf8')).toBe(rsaLeaf.cert + chain)
    const all = readFileSync(file('all.pem=signing-cert#pem'), 'utf8')
    expect([count(all, 'PRIVATE KEY'), count(all, 'CERTIFICATE')]).toEqual([1, 3])
    expect(all.indexOf('PRIVATE KEY')).toBeLessThan(all.indexOf('CERTIFICATE'))
    expectPfxOpens(file('signing.pfx=signing-cert#pfx'), rsaLeaf, 3)
    // A PEM secret needs no conversion.
    expect(s.requests.filter((request) => request.query.outContentType !== undefined)).toEqual([])
    assertNoLeak(r, [rsaLeaf.key], { perLine: true })
    await expectRemovedByPost(r, Object.values(paths))
  })

  it('a PKCS#12 secret that backs no certificate: Key Vault would refuse to convert it, so it is opened here', async () => {
    s.vault(VAULT).setSecret('uploaded-pfx', pki.pfx(pki.rsaLeaf, { chain: false }).toString('base64'), {
      contentType: PKCS12
    })
    const r = await run({
      files: 'up/key.pem=uploaded-pfx#key\nup/cert.pem=uploaded-pfx#cert',
      secrets: 'uploaded-pfx#fullchain'
    })
    expectSuccess(r)
    const paths = pathsOf(r)
    const { fromKey, fromCert } = publicKeys(
      paths['up/key.pem=uploaded-pfx#key'] ?? '',
      paths['up/cert.pem=uploaded-pfx#cert'] ?? ''
    )
    expect(fromKey).toBe(fromCert)
    expect(r.outputs['uploaded-pfx_fullchain']).toBe(pki.rsaLeaf.cert)
    expect(s.requests.filter((request) => request.query.outContentType !== undefined)).toEqual([])
    await expectRemovedByPost(r, Object.values(paths))
  })

  it('#pfx in secrets is refused before any request: binary has no place in an output or a variable', async () => {
    const r = await run({ secrets: 'site-cert#pfx' })
    expect({ exitCode: r.exitCode, requests: s.requests.length, outputs: r.outputs }).toEqual({
      exitCode: 1,
      requests: 0,
      outputs: {}
    })
    expect(r.errors).toEqual([
      "Input 'secrets', entry 'site-cert#pfx': '#pfx' is a PKCS#12 file, binary, and an output or a variable holds text only. Write it to a file with 'files' (site.pfx=site-cert#pfx), or select a text part here: #key, #cert, #chain, #fullchain, #pem."
    ])
  })
})

describe('binary secrets', () => {
  it('#base64 (wrapped, URL-safe, unpadded) and #hex are written decoded, byte for byte; decoded text goes to an output', async () => {
    const keystore = Buffer.from(Array.from({ length: 2500 }, (_, i) => (i * 7919 + 13) % 256))
    const gpg = Buffer.from(Array.from({ length: 1001 }, (_, i) => (i * 104729 + 1) % 256))
    const truststore = Buffer.from(Array.from({ length: 777 }, (_, i) => (i * 31 + 200) % 256))
    const vault = s.vault(VAULT)
    vault.setSecret('android-keystore', keystore.toString('base64').replace(/(.{76})/g, '$1\n'))
    vault.setSecret('gpg-key', gpg.toString('base64url'))
    vault.setSecret('truststore', truststore.toString('hex').toUpperCase())
    vault.setSecret('passphrase', Buffer.from('correct horse battery staple').toString('base64'))
    const r = await run({
      files: 'release.keystore=android-keystore#base64\ngpg/key.gpg=gpg-key#base64\ntrust.jks=truststore#hex',
      secrets: 'GPG_PASSPHRASE=passphrase#base64'
    })
    expectSuccess(r)
    const paths = pathsOf(r)
    expect(readFileSync(paths['release.keystore=android-keystore#base64'] ?? '')).toEqual(keystore)
    expect(readFileSync(paths['gpg/key.gpg=gpg-key#base64'] ?? '')).toEqual(gpg)
    expect(readFileSync(paths['trust.jks=truststore#hex'] ?? '')).toEqual(truststore)
    expect(r.outputs.GPG_PASSPHRASE).toBe('correct horse battery staple')
    expect(r.masks).toContain('correct horse battery staple')
    expect(r.outputs.certificates).toBeUndefined()
    assertNoLeak(r, ['correct horse battery staple', gpg.toString('base64url')])
    await expectRemovedByPost(r, Object.values(paths))
  })
})

describe('errors: the entry named, what is accepted said, nothing written, the value never shown', () => {
  const VALUE = 'p@ss-NEVER-SHOWN-42'
  const cases: [string, Readonly<Record<string, string>>, string][] = [
    [
      'a part of a secret that holds no certificate',
      { files: 'out.key=db-password#key' },
      "Input 'files', entry 'out.key=db-password#key': secret 'db-password' holds no certificate (its content type is 'text/plain'; a certificate's is application/x-pkcs12 or application/x-pem-file), so it has no part '#key'. The parts (#key, #cert, #chain, #fullchain, #pem, #pfx) are a certificate's; any other value takes '#base64' or '#hex', and a JSON value a field path."
    ],
    [
      'a part that does not exist',
      { secrets: 'site-cert#private' },
      "Input 'secrets', entry 'site-cert#private': secret 'site-cert' holds a certificate (content type application/x-pem-file), and '#private' is not one of its parts. Accepted: #key, #cert, #chain, #fullchain, #pem (and #pfx in 'files')."
    ],
    [
      'the chain of a certificate that has none',
      { files: 'chain.pem=site-cert#chain' },
      "Input 'files', entry 'chain.pem=site-cert#chain': secret 'site-cert' (content type application/x-pem-file) gives no '#chain': its chain is empty: it holds the certificate alone, without the certificates that issued it. Read '#cert' (or '#fullchain', the certificate alone here). Its value is not shown."
    ],
    [
      'text that is not base64',
      { files: 'x.bin=db-password#base64' },
      "Input 'files', entry 'x.bin=db-password#base64': secret 'db-password' is not base64 text (character 2 is not in the base64 alphabets; its value is not shown). '#base64' takes base64 in the standard or the URL-safe alphabet, padding optional, whitespace and line breaks ignored."
    ],
    [
      'a decoded value that is not text, in secrets',
      { secrets: 'binary#base64' },
      "Input 'secrets', entry 'binary#base64': secret 'binary' decodes from base64 to bytes that are not UTF-8 text, and an output or a variable holds text only. Write it to a file with 'files' (path=binary#base64)."
    ]
  ]

  it.each(cases)('%s', async (_, inputs, error) => {
    const vault = s.vault(VAULT)
    vault.setSecret('db-password', VALUE, { contentType: 'text/plain' })
    vault.setSecret('site-cert', pki.ecLeaf.key + pki.ecLeaf.cert, { certificate: true, contentType: PEM })
    vault.setSecret('binary', Buffer.from([0xff, 0xfe, 0x00, 0x01]).toString('base64'))
    const r = await run(inputs)
    expect({ exitCode: r.exitCode, errors: r.errors, outputs: r.outputs, env: r.env }).toEqual({
      exitCode: 1,
      errors: [error],
      outputs: {},
      env: {}
    })
    expect(r.state['written-files'] ?? '[]').toBe('[]')
    expect(r.stdout + r.stderr).not.toMatch(/^\s+at \S/m)
    assertNoLeak(r, [VALUE, pki.ecLeaf.key], { perLine: true })
  })
})

describe('expiry of the certificate read', () => {
  it("warns when the leaf's notAfter comes before the secret's expiry, and names the certificate", async () => {
    const soon = pki.leaf('soon', { days: 5 })
    s.vault(VAULT).setSecret('soon-cert', soon.key + soon.cert + pki.chain, {
      certificate: true,
      contentType: PEM,
      exp: new Date(Date.now() + 365 * DAY)
    })
    const r = await run({ files: 'soon.crt=soon-cert#cert' })
    expectSuccess(r)
    expect(r.warnings).toHaveLength(1)
    expect(r.warnings[0]).toMatch(
      /^The certificate in secret 'soon-cert' in vault 'contoso-kv' expires on \d{4}-\d\d-\d\d \(in 4 days; 'expiry-warning' is 30d\)\. Renew it/
    )
    const [notice] = JSON.parse(r.outputs.expiring ?? '[]') as {
      name: string
      expires: string
      certificate?: boolean
    }[]
    expect(notice).toMatchObject({ name: 'soon-cert', certificate: true })
    await expectRemovedByPost(r, Object.values(pathsOf(r)))
  })

  it('with fail-on-expired, a leaf that has expired fails the step, and nothing is written', async () => {
    const old = pki.leaf('old', { days: -1 })
    s.vault(VAULT).setSecret('old-cert', old.key + old.cert + pki.chain, { certificate: true, contentType: PEM })
    const r = await run({ files: 'old.crt=old-cert#fullchain', 'fail-on-expired': 'true' })
    expect({ exitCode: r.exitCode, outputs: r.outputs }).toEqual({ exitCode: 1, outputs: {} })
    expect(r.errors).toHaveLength(1)
    expect(r.errors[0]).toMatch(
      /^The certificate in secret 'old-cert' in vault 'contoso-kv' expired on \d{4}-\d\d-\d\d \('fail-on-expired: true'\), so the step failed and nothing was exported\. Renew it/
    )
    expect(r.state['written-files'] ?? '[]').toBe('[]')
  })
})

describe('the hostile-input table: entries refused once the secret is read', () => {
  it.each(ReadTimeRefusals.map((c) => [`${c.input}: ${c.value}`, c] as const))('%s', async (_, c) => {
    s.reset()
    s.addVault({ name: VAULT, tenantId: HOSTILE_TENANT, grants: { [HOSTILE_CLIENT]: ['get'] } })
    s.addApp({ tenantId: HOSTILE_TENANT, clientId: HOSTILE_CLIENT, clientSecret: SP_SECRET })
    s.vault(VAULT).setSecret('db-password', STORED_VALUE)
    s.vault(VAULT).setSecret('site-cert', pki.ecLeaf.key + pki.ecLeaf.cert, { certificate: true, contentType: PEM })
    const r = await runAction({
      inputs: {
        'vault-name': VAULT,
        'client-id': HOSTILE_CLIENT,
        'tenant-id': HOSTILE_TENANT,
        'client-secret': SP_SECRET,
        [c.input]: c.value
      },
      standin: s
    })
    expect({ exitCode: r.exitCode, errors: r.errors.length, outputs: r.outputs, env: r.env }).toEqual({
      exitCode: 1,
      errors: 1,
      outputs: {},
      env: {}
    })
    expect(r.errors[0]).toMatch(new RegExp(`^Input '${c.input}', entry '`))
    expect(r.errors[0]).toContain(c.value.replace(/^.*=/, ''))
    expect(r.errors[0]).toContain(c.says)
    expect(r.state['written-files'] ?? '[]').toBe('[]')
    expect(r.stdout + r.stderr).not.toMatch(/^\s+at \S/m)
    assertNoLeak(r, [STORED_VALUE, SP_SECRET, pki.ecLeaf.key], { perLine: true })
  })
})
