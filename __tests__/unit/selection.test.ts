import { describe, expect, test } from '@jest/globals'
import { mapWithConcurrency } from '../../src/concurrency.js'
import { Clouds, type Cloud } from '../../src/clouds.js'
import { globMatcher, parseFilesInput, parseSecretsInput, variablePrefixOf } from '../../src/inputs/entries.js'
import { selectField } from '../../src/operations/get/fields.js'

const VERSION = '0123456789abcdef0123456789abcdef'

describe('parseSecretsInput', () => {
  test('reads every form, one per line or comma-separated, skipping blanks and comments', () => {
    const entries = parseSecretsInput(
      `# comment\n db-password \n\nAPI_KEY = api-key, cert/${VERSION}\nOLD=cert/${VERSION}\r\napp-*`
    )
    expect(entries).toEqual([
      { text: 'db-password', alias: undefined, name: 'db-password', isGlob: false, version: undefined },
      { text: 'API_KEY = api-key', alias: 'API_KEY', name: 'api-key', isGlob: false, version: undefined },
      { text: `cert/${VERSION}`, alias: undefined, name: 'cert', isGlob: false, version: VERSION },
      { text: `OLD=cert/${VERSION}`, alias: 'OLD', name: 'cert', isGlob: false, version: VERSION },
      { text: 'app-*', alias: undefined, name: 'app-*', isGlob: true, version: undefined }
    ])
  })

  test.each([
    ['=db-password', 'it is not of a known form'],
    ['1X=db-password', 'it is not of a known form'],
    ['db password', 'it is not of a known form'],
    ['X=app-*', 'a glob cannot have an alias or a version'],
    [`app-*/${VERSION}`, 'a glob cannot have an alias or a version'],
    ['db-password/xyz', 'a version is 32 hexadecimal characters'],
    [`${'a'.repeat(128)}`, 'a secret name is 1-127 characters']
  ])('%p is malformed: %s', (entry, why) => {
    expect(() => parseSecretsInput(entry)).toThrow(`Input 'secrets' has a malformed entry`)
    expect(() => parseSecretsInput(entry)).toThrow(why)
  })

  test('a comment after an entry is ignored, commas in it included', () => {
    const entries = parseSecretsInput(
      'db-password   # output db-password, env DB_PASSWORD\nAPI_KEY=api-key # alias, too\r\n#x, y'
    )
    expect(entries.map((entry) => entry.text)).toEqual(['db-password', 'API_KEY=api-key'])
  })

  test('a # right after a name selects a field; after a space it starts a comment', () => {
    expect(parseSecretsInput('db-pass#word')).toEqual([
      { text: 'db-pass#word', name: 'db-pass', isGlob: false, field: ['word'] }
    ])
    expect(parseSecretsInput('db-pass #word').map((entry) => entry.field)).toEqual([undefined])
  })

  test('only comments is an error', () => {
    expect(() => parseSecretsInput('# nothing\n\n')).toThrow("Input 'secrets' names no secret")
  })
})

describe('globMatcher', () => {
  test.each([
    ['app-*', 'app-db', true],
    ['app-*', 'APP-DB', true],
    ['app-*', 'myapp-db', false],
    ['*', 'anything', true],
    ['db-?', 'db-1', true],
    ['db-?', 'db-12', false]
  ])('%s against %s: %p', (glob, name, matches) => {
    expect(globMatcher(glob)(name)).toBe(matches)
  })
})

describe('mapWithConcurrency', () => {
  test('keeps order and never has more than the limit in flight', async () => {
    let inFlight = 0
    let peak = 0
    const results = await mapWithConcurrency([5, 1, 4, 2, 3, 0], 2, async (n) => {
      inFlight++
      peak = Math.max(peak, inFlight)
      await new Promise((resolve) => setTimeout(resolve, n))
      inFlight--
      return n * 10
    })
    expect(results).toEqual([50, 10, 40, 20, 30, 0])
    expect(peak).toBe(2)
  })
})

describe('full secret identifiers', () => {
  const other = { url: 'https://other-kv.vault.azure.net', name: 'other-kv', input: 'secrets' }

  test('with a version, an alias, or a glob in the name; the vault comes from the host', () => {
    expect(
      parseSecretsInput(
        `https://other-kv.vault.azure.net/secrets/db-password\nDB=https://Other-KV.vault.azure.net/secrets/db-password/${VERSION}\nhttps://other-kv.vault.azure.net/secrets/app-*`
      )
    ).toEqual([
      {
        text: 'https://other-kv.vault.azure.net/secrets/db-password',
        name: 'db-password',
        isGlob: false,
        vault: other
      },
      {
        text: `DB=https://Other-KV.vault.azure.net/secrets/db-password/${VERSION}`,
        alias: 'DB',
        name: 'db-password',
        isGlob: false,
        version: VERSION,
        vault: other
      },
      { text: 'https://other-kv.vault.azure.net/secrets/app-*', name: 'app-*', isGlob: true, vault: other }
    ])
  })

  test("the host must be a vault of the step's cloud", () => {
    const china = Clouds['AzureChinaCloud'] as Cloud
    expect(parseSecretsInput('https://cn-kv.vault.azure.cn/secrets/x', china)[0]?.vault?.url).toBe(
      'https://cn-kv.vault.azure.cn'
    )
    expect(() => parseSecretsInput('https://cn-kv.vault.azure.cn/secrets/x')).toThrow(
      "the host 'cn-kv.vault.azure.cn' is not a vault of 'environment: AzureCloud' (https://<vault-name>.vault.azure.net)"
    )
  })

  test.each([
    ['http://other-kv.vault.azure.net/secrets/x', 'uses https'],
    ['https://user:pa55@other-kv.vault.azure.net/secrets/x', 'no user or password'],
    ['https://other-kv.vault.azure.net/secrets/x?api-version=7.4', 'no query or fragment'],
    ['https://other-kv.vault.azure.net/secrets/x#password', 'no query or fragment'],
    ['https://other-kv.vault.azure.net/keys/x', 'the path of a secret identifier is /secrets/<name>'],
    ['https://other-kv.vault.azure.net/secrets/x/', 'the path of a secret identifier is /secrets/<name>'],
    ['https://other-kv.vault.azure.net/secrets/a/b/c', 'the path of a secret identifier is /secrets/<name>'],
    ['https://other-kv.vault.azure.net/secrets/..%2Fkeys', 'the path of a secret identifier'],
    ['https://evil.example/secrets/x', "is not a vault of 'environment: AzureCloud'"],
    ['https://other-kv.vault.azure.net.evil.example/secrets/x', "is not a vault of 'environment: AzureCloud'"],
    ['https://a.b.vault.azure.net/secrets/x', "is not a vault of 'environment: AzureCloud'"],
    ['https://other-kv.vault.azure.net:8443/secrets/x', "is not a vault of 'environment: AzureCloud'"],
    ['X=https://other-kv.vault.azure.net/secrets/app-*', 'a glob cannot have an alias'],
    ['https://other-kv.vault.azure.net/secrets/x/notaversion', 'a version is 32 hexadecimal characters']
  ])('%s is refused: %s', (entry, why) => {
    expect(() => parseSecretsInput(entry)).toThrow(why)
  })

  test('a password in an identifier is never echoed', () => {
    expect(() => parseSecretsInput('https://user:Sup3rPa55@other-kv.vault.azure.net/secrets/x')).not.toThrow(
      /Sup3rPa55/
    )
    expect(() => parseSecretsInput('https://user:Sup3rPa55@other-kv.vault.azure.net/secrets/x')).toThrow()
  })

  test('in files: path=identifier, path=name#field', () => {
    expect(
      parseFilesInput(`a.pem=https://other-kv.vault.azure.net/secrets/cert/${VERSION}\ndb.pass=db-config#password`)
    ).toEqual([
      {
        text: `a.pem=https://other-kv.vault.azure.net/secrets/cert/${VERSION}`,
        path: 'a.pem',
        name: 'cert',
        version: VERSION,
        vault: { ...other, input: 'files' }
      },
      { text: 'db.pass=db-config#password', path: 'db.pass', name: 'db-config', field: ['password'] }
    ])
    expect(() => parseFilesInput('x=https://other-kv.vault.azure.net/secrets/app-*')).toThrow(
      'a file holds one secret: no glob'
    )
  })
})

describe('fields of a JSON secret', () => {
  test.each([
    ['DB_PASS=db-config#password', 'DB_PASS', ['password']],
    ['db-config#conn.host', undefined, ['conn', 'host']],
    ['db-config#hosts.0', undefined, ['hosts', '0']]
  ])('%s', (text, alias, field) => {
    expect(parseSecretsInput(text)[0]).toMatchObject({ alias, name: 'db-config', field })
  })

  test.each(['db-config#', 'db-config#a..b', 'db-config#.a', 'app-*#x'])('%s is refused', (text) => {
    expect(() => parseSecretsInput(text)).toThrow(`Input 'secrets' has a malformed entry`)
  })

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

describe('the prefix the workflow wrote for a glob', () => {
  test.each([
    ['app-*', 'APP_'],
    ['App-Db-*', 'APP_DB_'],
    ['app-?x*', 'APP_'],
    ['KV_*=*', 'KV_'],
    ['kv_*=app*', 'kv_'],
    ['*', undefined],
    ['app*', undefined],
    ['*-db', undefined],
    ['?pp-*', undefined],
    ['db-password', undefined]
  ])('%s: %s', (text, prefix) => {
    const [entry] = parseSecretsInput(text)
    expect(entry && variablePrefixOf(entry)).toBe(prefix)
  })

  test('a prefix alias goes with a glob, an alias with one secret', () => {
    expect(parseSecretsInput('KV_*=app-*')[0]).toMatchObject({ prefix: 'KV_', isGlob: true })
    expect(() => parseSecretsInput('KV_*=db-password')).toThrow('a prefix alias (`KV_*=`) is for a glob')
    expect(() => parseSecretsInput('KV=app-*')).toThrow('it takes a prefix alias for all its matches (`KV_*=app-*`)')
    expect(parseSecretsInput('KV_*=https://other-kv.vault.azure.net/secrets/app-*')[0]).toMatchObject({
      prefix: 'KV_',
      name: 'app-*'
    })
  })
})
