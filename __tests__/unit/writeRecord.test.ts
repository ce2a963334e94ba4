import { describe, expect, test } from '@jest/globals'
import { WriteRecord } from '../../src/writeRecord.js'

describe('what a step had written when it failed', () => {
  test('nothing written: nothing to say', () => {
    const record = new WriteRecord()
    record.githubPlanned('repository octo-org/app', ['A', 'B'])
    expect(record.isEmpty).toBe(true)
    expect(record.describe()).toBe('')
  })

  test('a Key Vault version, then one GitHub secret of two', () => {
    const record = new WriteRecord()
    record.keyVaultVersion('db-password', '0123456789abcdef0123456789abcdef', 'contoso-kv')
    record.githubPlanned('repository octo-org/app', ['FIRST', 'SECOND'])
    record.githubWritten('FIRST')
    expect(record.describe()).toBe(
      "Written before the failure: Key Vault secret 'db-password' version 0123456789abcdef0123456789abcdef (vault 'contoso-kv'). " +
        'GitHub secrets written to repository octo-org/app: FIRST; not written: SECOND.'
    )
    expect(record.firstVersion).toEqual({
      secretName: 'db-password',
      version: '0123456789abcdef0123456789abcdef',
      vault: 'contoso-kv'
    })
  })

  test('GitHub alone, every secret written', () => {
    const record = new WriteRecord()
    record.githubPlanned('organization octo-org', ['A'])
    record.githubWritten('A')
    expect(record.describe()).toBe('GitHub secrets written to organization octo-org: A; not written: none.')
  })
})
