import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { bundleFromPem, CertificateProblem, type Bundle } from '../../src/certificates/bundle.js'
import { certificateInfo } from '../../src/certificates/info.js'
import { partText } from '../../src/certificates/parts.js'
import { buildPfx, openPfx } from '../../src/certificates/pkcs12.js'
import { makePki, openssl, tryOpenssl, type TestPki } from '../support/certificates.js'

jest.setTimeout(60_000)

let pki: TestPki
beforeAll(() => {
  pki = makePki()
})
afterAll(() => pki.remove())

const subjects = (bundle: Bundle): string[] => [bundle.leaf, ...bundle.chain].map((c) => c.subject.split('\n')[0] ?? '')
const problem = (make: () => unknown): string => {
  try {
    make()
  } catch (error) {
    if (error instanceof CertificateProblem) return error.message
    throw error
  }
  return 'no problem'
}

describe('a PEM secret, blocks in any order', () => {
  test('finds the leaf by its key and puts the chain in issuer order, whatever the order of the blocks', () => {
    const { ecLeaf, intermediate, root } = pki
    const orders = [
      ecLeaf.key + ecLeaf.cert + intermediate.cert + root.cert,
      intermediate.cert + ecLeaf.key + ecLeaf.cert + root.cert,
      root.cert + intermediate.cert + ecLeaf.key + ecLeaf.cert,
      root.cert + ecLeaf.cert + intermediate.cert + ecLeaf.key
    ]
    for (const text of orders)
      expect(subjects(bundleFromPem(text))).toEqual([
        'CN=site.contoso.example',
        'CN=Contoso Test Issuing CA',
        'CN=Contoso Test Root CA'
      ])
  })

  test('takes PKCS#1 and SEC 1 keys and gives PKCS#8', () => {
    const rsa = openssl(['rsa', '-traditional'], pki.rsaLeaf.key)
    const ec = openssl(['ec'], pki.ecLeaf.key)
    expect(rsa).toContain('BEGIN RSA PRIVATE KEY')
    expect(ec).toContain('BEGIN EC PRIVATE KEY')
    expect(partText(bundleFromPem(pki.rsaLeaf.cert + rsa), 'key')).toMatch(/^-----BEGIN PRIVATE KEY-----\n/)
    expect(partText(bundleFromPem(ec + pki.ecLeaf.cert), 'key')).toMatch(/^-----BEGIN PRIVATE KEY-----\n/)
  })

  test('renders the parts: key, leaf, chain, and their sums', () => {
    const bundle = bundleFromPem(pki.chain + pki.ecLeaf.cert + pki.ecLeaf.key)
    const key = partText(bundle, 'key')
    expect(partText(bundle, 'cert')).toBe(pki.ecLeaf.cert)
    expect(partText(bundle, 'chain')).toBe(pki.intermediate.cert + pki.root.cert)
    expect(partText(bundle, 'fullchain')).toBe(pki.ecLeaf.cert + pki.intermediate.cert + pki.root.cert)
    expect(partText(bundle, 'pem')).toBe(key + pki.ecLeaf.cert + pki.intermediate.cert + pki.root.cert)
  })

  test('without a key: the certificate that issued none of the others is the leaf', () => {
    const bundle = bundleFromPem(pki.root.cert + pki.ecLeaf.cert + pki.intermediate.cert)
    expect(subjects(bundle)[0]).toBe('CN=site.contoso.example')
    expect(problem(() => partText(bundle, 'key'))).toMatch(/^it holds no private key/)
  })

  test('says what is wrong, never quoting the value', () => {
    const encrypted = openssl(['pkcs8', '-topk8', '-passout', 'pass:pw'], pki.ecLeaf.key)
    const other = pki.leaf('other')
    const cases: [string, RegExp][] = [
      ['just-a-password', /^it holds no PEM block/],
      [pki.ecLeaf.key, /^it holds no certificate$/],
      [pki.ecLeaf.key + other.key + pki.ecLeaf.cert, /^it holds 2 private keys/],
      [encrypted + pki.ecLeaf.cert, /encrypted with a password \(ENCRYPTED PRIVATE KEY\)/],
      [other.key + pki.ecLeaf.cert, /^none of its certificates matches its private key$/],
      [
        '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n',
        /^it holds a CERTIFICATE block that cannot be read$/
      ]
    ]
    for (const [text, why] of cases) expect(problem(() => bundleFromPem(text))).toMatch(why)
    expect(problem(() => partText(bundleFromPem(pki.ecLeaf.key + pki.ecLeaf.cert), 'chain'))).toMatch(
      /^its chain is empty/
    )
  })

  test('certificate info: thumbprints as the portal and openssl show them, dates ISO', () => {
    const info = certificateInfo(bundleFromPem(pki.ecLeaf.key + pki.ecLeaf.cert))
    const sha1 = openssl(['x509', '-noout', '-fingerprint', '-sha1'], pki.ecLeaf.cert)
      .split('=')[1]
      ?.trim()
      .replace(/:/g, '')
    const sha256 = openssl(['x509', '-noout', '-fingerprint', '-sha256'], pki.ecLeaf.cert)
      .split('=')[1]
      ?.trim()
      .replace(/:/g, '')
    expect(info.thumbprint).toBe(sha1)
    expect(info.sha256).toBe(sha256)
    expect(info.subject).toBe('CN=site.contoso.example, O=Contoso')
    expect(info.issuer).toBe('CN=Contoso Test Issuing CA, O=Contoso')
    expect(info.notAfter.getTime() - info.notBefore.getTime()).toBe(90 * 86_400_000)
  })
})

describe('PKCS#12', () => {
  test('opens an OpenSSL 3 PFX without a password, EC and RSA, with and without a chain', async () => {
    expect(subjects(await openPfx(pki.pfx(pki.ecLeaf)))).toEqual([
      'CN=site.contoso.example',
      'CN=Contoso Test Issuing CA',
      'CN=Contoso Test Root CA'
    ])
    const rsa = await openPfx(pki.pfx(pki.rsaLeaf, { chain: false }))
    expect(subjects(rsa)).toEqual(['CN=signing.contoso.example'])
    expect(partText(rsa, 'key')).toMatch(/^-----BEGIN PRIVATE KEY-----/)
  })

  test('refuses a legacy-encrypted, a password-protected and a broken file, saying which', async () => {
    const legacy = pki.pfx(pki.ecLeaf, {
      extra: ['-certpbe', 'PBE-SHA1-3DES', '-keypbe', 'PBE-SHA1-3DES', '-macalg', 'sha1']
    })
    await expect(openPfx(legacy)).rejects.toThrow(/encrypted with pbeWithSHAAnd3-KeyTripleDES-CBC, a legacy algorithm/)
    const withPassword = pki.pfx(pki.ecLeaf, { password: 'secret' })
    await expect(openPfx(withPassword)).rejects.toThrow(/protected by a password/)
    await expect(openPfx(Buffer.from('not a pfx'))).rejects.toThrow(/^it is not a PKCS#12 file the action can read$/)
  })

  test('builds a PFX that openssl opens with an empty password, holding the key, the leaf and the chain', async () => {
    for (const leaf of [pki.ecLeaf, pki.rsaLeaf]) {
      const bundle = bundleFromPem(leaf.key + leaf.cert + pki.chain)
      const file = join(pki.dir, `built-${leaf === pki.ecLeaf ? 'ec' : 'rsa'}.pfx`)
      writeFileSync(file, await buildPfx(bundle))
      const opened = tryOpenssl(['pkcs12', '-in', file, '-passin', 'pass:', '-noenc'])
      expect(opened.status).toBe(0)
      expect(opened.stdout.match(/BEGIN PRIVATE KEY/g)).toHaveLength(1)
      expect(opened.stdout.match(/BEGIN CERTIFICATE/g)).toHaveLength(3)
      expect(subjects(await openPfx(await buildPfx(bundle)))).toEqual(subjects(bundle))
    }
  })
})
