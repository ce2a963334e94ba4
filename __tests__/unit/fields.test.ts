/** selectField (src/operations/get/fields.ts): one field of a JSON secret. How an entry names it: entries.test.ts. */
import { describe, expect, test } from '@jest/globals'
import { selectField } from '../../src/operations/get/fields.js'

describe('fields of a JSON secret', () => {
  const where = { name: 'db-config', entry: 'db-config#x', input: 'secrets' }
  const config = JSON.stringify({
    password: 'p4ss',
    conn: { host: 'db.local', port: 5432, tls: true, none: null },
    hosts: ['a', 'b'],
    '0': 'zero'
  })

  test.each([
    [['password'], 'p4ss'],
    [['conn', 'host'], 'db.local'],
    [['conn', 'port'], '5432'],
    [['conn', 'tls'], 'true'],
    [['conn', 'none'], ''],
    [['hosts', '1'], 'b'],
    [['0'], 'zero']
  ])('%j selects %p', (field, value) => {
    expect(selectField(config, field, where)).toBe(value)
  })

  test.each([
    [['missing'], "secret 'db-config' has no field 'missing'."],
    [['conn', 'user'], "has no field 'conn.user'."],
    [['hosts', '5'], "has no field 'hosts.5'."],
    [['password', 'x'], "has no field 'password.x'"],
    [['conn'], "the field 'conn' of secret 'db-config' is an object, not a value"],
    [['hosts'], 'is an array, not a value'],
    [['__proto__'], "has no field '__proto__'"]
  ])('%j is an error naming the entry and the path: %s', (field, message) => {
    expect(() => selectField(config, field, where)).toThrow(message)
    expect(() => selectField(config, field, where)).toThrow("Input 'secrets', entry 'db-config#x'")
  })

  test('a value that is not JSON: an error naming the secret, never quoting it', () => {
    expect(() => selectField('not-json-S3cret', ['a'], where)).toThrow("secret 'db-config' is not JSON")
    expect(() => selectField('not-json-S3cret', ['a'], where)).not.toThrow(/S3cret/)
  })
})
