import { describe, expect, test } from '@jest/globals'
import { isGuid, isSecretName, isTenant, isVaultName } from '../../src/inputs/names.js'

describe('isSecretName (Key Vault: ^[0-9a-zA-Z-]{1,127}$)', () => {
  test.each([
    ['a single letter', 'a'],
    ['a single digit', '7'],
    ['letters, digits and dashes', 'db-Password-2'],
    ['a leading dash', '-secret'],
    ['127 characters', 'a'.repeat(127)]
  ])('accepts %s', (_, name) => {
    expect(isSecretName(name)).toBe(true)
  })

  test.each([
    ['an empty name', ''],
    ['128 characters', 'a'.repeat(128)],
    ['an underscore', 'db_password'],
    ['a dot', 'db.password'],
    ['a space', 'db password'],
    ['a slash', 'db/password'],
    ['a non-ASCII letter', 'pässword'],
    ['a trailing newline', 'password\n']
  ])('rejects %s', (_, name) => {
    expect(isSecretName(name)).toBe(false)
  })
})

describe('isVaultName (3-24 chars, letter first, letter/digit last, no "--")', () => {
  test.each([
    ['3 characters', 'abc'],
    ['24 characters', 'a'.repeat(24)],
    ['dashes between letters', 'contoso-kv-prod'],
    ['digits after the first letter', 'kv2024'],
    ['upper case', 'Contoso-KV'],
    ['a digit at the end', 'kv-1']
  ])('accepts %s', (_, name) => {
    expect(isVaultName(name)).toBe(true)
  })

  test.each([
    ['2 characters (too short)', 'ab'],
    ['25 characters (too long)', 'a'.repeat(25)],
    ['a leading digit', '1contoso'],
    ['a leading dash', '-contoso'],
    ['a double dash', 'contoso--kv'],
    ['a trailing dash', 'contoso-'],
    ['an underscore', 'contoso_kv'],
    ['a dot (a host, not a name)', 'contoso.vault'],
    ['an empty name', '']
  ])('rejects %s', (_, name) => {
    expect(isVaultName(name)).toBe(false)
  })
})

describe('isGuid', () => {
  test.each([
    '00000000-0000-0000-0000-000000000000',
    '11111111-2222-3333-4444-555555555555',
    'ABCDEF01-abcd-EF01-2345-6789abcdef01'
  ])('accepts %s', (value) => {
    expect(isGuid(value)).toBe(true)
  })

  test.each([
    ['no dashes', '00000000000000000000000000000000'],
    ['braces', '{00000000-0000-0000-0000-000000000000}'],
    ['a non-hex character', '0000000g-0000-0000-0000-000000000000'],
    ['one character short', '00000000-0000-0000-0000-00000000000'],
    ['surrounding spaces', ' 00000000-0000-0000-0000-000000000000 '],
    ['a name', 'my-app'],
    ['an empty string', '']
  ])('rejects %s', (_, value) => {
    expect(isGuid(value)).toBe(false)
  })
})

describe('isTenant (a GUID or a tenant domain)', () => {
  test.each([
    ['a GUID', 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee'],
    ['an onmicrosoft.com domain', 'contoso.onmicrosoft.com'],
    ['a custom domain', 'contoso.com'],
    ['a sub-domain with dashes and digits', 'eu-1.contoso-corp.co.uk']
  ])('accepts %s', (_, value) => {
    expect(isTenant(value)).toBe(true)
  })

  test.each([
    ['a bare word', 'contoso'],
    ['a URL', 'https://contoso.onmicrosoft.com'],
    ['a label starting with a dash', '-contoso.com'],
    ['an empty label', 'contoso..com'],
    ['a numeric top-level domain', 'contoso.123'],
    ['a malformed GUID', 'aaaaaaaa-bbbb-cccc-dddd'],
    ['an empty string', '']
  ])('rejects %s', (_, value) => {
    expect(isTenant(value)).toBe(false)
  })
})
