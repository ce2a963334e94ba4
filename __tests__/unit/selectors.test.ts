import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals'
import { buildPfx, openPfx } from '../../src/certificates/pkcs12.js'
import { ActionError } from '../../src/errors.js'
import { select, type CertificateSource, type Held, type Where } from '../../src/operations/get/selectors.js'
import { makePki, type TestPki } from '../support/certificates.js'

jest.setTimeout(60_000)

let pki: TestPki
beforeAll(() => {
  pki = makePki()
})
afterAll(() => pki.remove())

const inFiles: Where = { name: 'site-cert', entry: 'tls/x=site-cert#key', input: 'files' }
const inSecrets: Where = { name: 'site-cert', entry: 'site-cert#key', input: 'secrets' }
const PEM = 'application/x-pem-file'
const PKCS12 = 'application/x-pkcs12'

/** A source that converts (or not) and counts the conversions asked for. */
function source(converted?: string): CertificateSource & { asked: number } {
  const counted = {
    asked: 0,
    converted: async () => {
      counted.asked++
      return converted
    },
    openPfx,
    buildPfx
  }
  return counted
}

async function refusal(held: Held, field: string[], where: Where = inFiles): Promise<string> {
  try {
    await select(held, field, where, source())
  } catch (error) {
    if (error instanceof ActionError) return error.message
    throw error
  }
  return 'selected'
}

describe('what #word selects, by what the secret holds', () => {
  test('a certificate takes a part; a PKCS#12 one is converted by Key Vault when it does, here when it does not', async () => {
    const pem = { value: pki.chain + pki.ecLeaf.key + pki.ecLeaf.cert, contentType: PEM }
    expect((await select(pem, ['cert'], inFiles, source())).text).toBe(pki.ecLeaf.cert)
    const pfx = { value: pki.pfx(pki.ecLeaf).toString('base64'), contentType: PKCS12 }
    const byService = source(pki.servicePem(pki.ecLeaf))
    const fromService = await select(pfx, ['fullchain'], inFiles, byService)
    expect(fromService.text).toBe(pki.ecLeaf.cert + pki.chain)
    expect(fromService.alsoMasked).toContain(pki.servicePem(pki.ecLeaf))
    expect(byService.asked).toBe(1)
    const here = await select(pfx, ['chain'], inFiles, source(undefined))
    expect(here.text).toBe(pki.chain)
    expect(here.certificate?.subject).toBe('CN=site.contoso.example, O=Contoso')
  })

  test('#pfx of a PKCS#12 secret that cannot be opened here points at writing the file as stored', async () => {
    const legacy = pki.pfx(pki.ecLeaf, {
      extra: ['-certpbe', 'PBE-SHA1-3DES', '-keypbe', 'PBE-SHA1-3DES', '-macalg', 'sha1']
    })
    expect(await refusal({ value: legacy.toString('base64'), contentType: PKCS12 }, ['pfx'])).toMatch(
      /gives no '#pfx': it is a PKCS#12 file encrypted with pbeWithSHAAnd3-KeyTripleDES-CBC, .* To write the PFX as stored, name the secret without '#pfx' \(path=site-cert\)\.$/
    )
  })

  test('#pfx of a PKCS#12 secret is the file as stored; of a PEM secret, one built here', async () => {
    const stored = pki.pfx(pki.ecLeaf)
    const fromPfx = await select({ value: stored.toString('base64'), contentType: PKCS12 }, ['pfx'], inFiles, source())
    expect(fromPfx.bytes).toEqual(stored)
    const built = await select(
      { value: pki.ecLeaf.key + pki.ecLeaf.cert, contentType: PEM },
      ['pfx'],
      inFiles,
      source()
    )
    expect((await openPfx(built.bytes ?? Buffer.alloc(0))).leaf.subject).toContain('site.contoso.example')
  })

  test('a JSON value takes a field path; a value of digits is not JSON for #hex', async () => {
    expect((await select({ value: '{"key":"k1","a":{"b":2}}' }, ['key'], inFiles, source())).text).toBe('k1')
    expect((await select({ value: '{"a":{"b":2}}' }, ['a', 'b'], inFiles, source())).text).toBe('2')
    expect((await select({ value: '123456' }, ['hex'], inFiles, source())).bytes).toEqual(
      Buffer.from([0x12, 0x34, 0x56])
    )
  })

  test('any other value takes #base64 or #hex; in secrets, only when it decodes to UTF-8', async () => {
    const keystore = Buffer.from([0xfe, 0xed, 0xfe, 0xed, 0, 0, 0, 2])
    const wrapped = { value: `${keystore.toString('base64')}\n` }
    expect((await select(wrapped, ['base64'], inFiles, source())).bytes).toEqual(keystore)
    expect(
      (await select({ value: Buffer.from('grüße').toString('base64url') }, ['base64'], inSecrets, source())).text
    ).toBe('grüße')
    expect(await refusal(wrapped, ['base64'], { ...inSecrets, entry: 'ks#base64' })).toBe(
      "Input 'secrets', entry 'ks#base64': secret 'site-cert' decodes from base64 to bytes that are not UTF-8 text, and an output or a variable holds text only. Write it to a file with 'files' (path=site-cert#base64)."
    )
  })

  test('a content type the vault chose is quoted in the error: one line, no workflow command', async () => {
    const message = await refusal({ value: 'plain', contentType: 'text/x\n::warning::forged' }, ['key'])
    expect(message).toContain("its content type is 'text/x\\n::warning::forged'")
    expect(message).not.toContain('\n')
  })

  test('errors name the entry, say what is wrong and what is accepted, and never quote the value', async () => {
    const value = 'p@ss-w0rd-NEVER-SHOWN'
    const messages = [
      await refusal({ value }, ['key']),
      await refusal({ value, contentType: 'text/plain' }, ['pfx']),
      await refusal({ value }, ['base64']),
      await refusal({ value }, ['hex']),
      await refusal({ value }, ['conn', 'host']),
      await refusal({ value: pki.ecLeaf.key + pki.ecLeaf.cert, contentType: PEM }, ['private']),
      await refusal({ value: pki.ecLeaf.key + pki.ecLeaf.cert, contentType: PEM }, ['chain']),
      await refusal({ value, contentType: PKCS12 }, ['key']),
      await refusal({ value: pki.ecLeaf.key + pki.ecLeaf.cert, contentType: PEM }, ['pfx'], inSecrets)
    ]
    for (const message of messages) {
      expect(message).toMatch(/^Input '(files|secrets)', entry '[^']+': secret 'site-cert' /)
      expect(message).not.toContain('NEVER')
      expect(message).not.toContain('BEGIN')
    }
    expect(messages[0]).toContain(
      "holds no certificate (it has no content type; a certificate's is application/x-pkcs12 or application/x-pem-file), so it has no part '#key'. The parts (#key, #cert, #chain, #fullchain, #pem, #pfx) are a certificate's; any other value takes '#base64' or '#hex'"
    )
    expect(messages[1]).toContain("its content type is 'text/plain'")
    expect(messages[2]).toContain(
      'is not base64 text (character 2 is not in the base64 alphabets; its value is not shown)'
    )
    expect(messages[3]).toContain('is not hex text (character 1 is not a hexadecimal digit')
    expect(messages[4]).toContain("is not JSON, so the field 'conn.host' cannot be read from it")
    expect(messages[5]).toContain(
      "holds a certificate (content type application/x-pem-file), and '#private' is not one of its parts. Accepted: #key, #cert, #chain, #fullchain, #pem, #pfx."
    )
    expect(messages[6]).toContain("gives no '#chain': its chain is empty")
    expect(messages[7]).toContain("gives no '#key': its value is not a PFX in base64")
    expect(messages[8]).toContain("gives no '#pfx': '#pfx' is binary, for 'files' only")
  })
})
