/**
 * The entries of the `secrets` and `files` inputs (src/inputs/entries.ts): names, aliases,
 * versions, globs, full secret identifiers, fields of a JSON secret and prefixes. Any text, not
 * only these examples: the properties at the end.
 */
import { describe, expect, test } from '@jest/globals'
import fc from 'fast-check'
import { Clouds, type Cloud } from '../../src/clouds.js'
import { globMatcher, parseFilesInput, parseSecretsInput, variablePrefixOf } from '../../src/inputs/entries.js'
import { isSecretName } from '../../src/inputs/names.js'
import { hostileText, LineBreaks, propertyOptions, secretAlias, secretName } from '../support/arbitraries.js'
import { returnsOrNamesInput, VERSION } from './helpers.js'

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

// Property-based (fast-check): a parser either returns well-formed entries or throws an ActionError
// naming its input - never another error, which would reach the user as "Unexpected error" with no
// hint of which input is wrong.
const PROPERTIES = propertyOptions(1000)
/** Entry separators of `secrets`: line breaks and commas, with spaces around. */
const entrySeparator = fc.constantFrom('\n', '\r\n', ',', ' , ', '\n\n', ',\n')
const versionText = fc.stringMatching(/^[0-9a-fA-F]{32}$/)
const padding = fc.constantFrom('', ' ', '\t', '  ')

describe(`properties (fast-check seed ${PROPERTIES.seed}; FC_SEED=<n> to change)`, () => {
  describe('secrets input', () => {
    const entryLike = fc.oneof(
      secretName,
      fc.tuple(secretAlias, secretName).map(([a, n]) => `${a}=${n}`),
      fc.tuple(secretName, versionText).map(([n, v]) => `${n}/${v}`),
      fc.constantFrom('app-*', '*', 'db-?', '# comment', '', 'A=app-*', 'x/y', 'db-password/0123')
    )
    const secretsText = fc
      .array(fc.oneof(entryLike, hostileText(4)), { maxLength: 6 })
      .chain((parts) =>
        fc
          .array(entrySeparator, { minLength: parts.length, maxLength: parts.length })
          .map((seps) => parts.map((p, i) => `${p}${seps[i] ?? ''}`).join(''))
      )

    test('any text gives well-formed entries or an ActionError naming the input', () => {
      fc.assert(
        fc.property(fc.oneof(secretsText, hostileText()), (raw) => {
          const entries = returnsOrNamesInput('secrets', () => parseSecretsInput(raw))
          if (!entries) return
          expect(entries.length).toBeGreaterThan(0)
          for (const entry of entries) {
            expect(raw).toContain(entry.text)
            expect(entry.text).toBe(entry.text.trim())
            expect(entry.text.startsWith('#')).toBe(false)
            if (entry.isGlob) expect([entry.alias, entry.version]).toEqual([undefined, undefined])
            else expect(isSecretName(entry.name)).toBe(true)
            if (entry.version !== undefined) expect(entry.version).toMatch(/^[0-9a-fA-F]{32}$/)
            if (entry.alias !== undefined) expect(entry.alias).toMatch(/^[A-Za-z_][A-Za-z0-9_-]*$/)
          }
        }),
        PROPERTIES
      )
    })

    test('entries written with any spacing, separators, blank lines and comments read back exactly', () => {
      const entry = fc.record({
        alias: fc.option(secretAlias, { nil: undefined }),
        name: secretName,
        version: fc.option(versionText, { nil: undefined })
      })
      const layout = fc.record({
        before: padding,
        around: padding,
        after: padding,
        comment: fc.boolean(),
        separator: entrySeparator
      })
      fc.assert(
        fc.property(fc.array(fc.tuple(entry, layout), { minLength: 1, maxLength: 6 }), (items) => {
          const raw = items
            .map(([e, l]) => {
              const text = `${e.alias === undefined ? '' : `${e.alias}${l.around}=${l.around}`}${e.name}${e.version === undefined ? '' : `/${e.version}`}`
              return `${l.comment ? `# ${e.name}\n` : ''}${l.before}${text}${l.after}${l.separator}`
            })
            .join('')
          const read = parseSecretsInput(raw).map(({ alias: a, name, version }) => ({ alias: a, name, version }))
          expect(read).toEqual(items.map(([e]) => e))
        }),
        PROPERTIES
      )
    })
  })

  describe('files input', () => {
    /** A path: any one line without '=' that does not start with '#', trimmed. */
    const path = hostileText(4)
      .map((text) => text.replace(/[=\r\n]/g, '').trim())
      .filter((text) => text !== '' && !text.startsWith('#'))

    test('any text gives well-formed entries or an ActionError naming the input', () => {
      const filesText = fc
        .array(
          fc.oneof(
            fc.tuple(path, secretName).map(([p, n]) => `${p}=${n}`),
            hostileText(4)
          ),
          { maxLength: 5 }
        )
        .map((lines) => lines.join('\n'))
      fc.assert(
        fc.property(fc.oneof(filesText, hostileText()), (raw) => {
          const entries = returnsOrNamesInput('files', () => parseFilesInput(raw))
          if (!entries) return
          for (const entry of entries) {
            expect(raw).toContain(entry.text)
            expect(entry.path).not.toBe('')
            expect(entry.path).not.toContain('=')
            expect(isSecretName(entry.name)).toBe(true)
            if (entry.version !== undefined) expect(entry.version).toMatch(/^[0-9a-fA-F]{32}$/)
          }
        }),
        PROPERTIES
      )
    })

    test('path=name entries read back exactly, whatever the path holds', () => {
      const entry = fc.record({
        path,
        name: secretName,
        version: fc.option(versionText, { nil: undefined }),
        around: padding
      })
      fc.assert(
        fc.property(
          fc.array(entry, { minLength: 1, maxLength: 5 }),
          fc.constantFrom(...LineBreaks.filter((b) => b !== '\r')),
          (entries, lineBreak) => {
            const raw = entries
              .map((e) => `${e.path}${e.around}=${e.around}${e.name}${e.version === undefined ? '' : `/${e.version}`}`)
              .join(lineBreak)
            const read = parseFilesInput(raw).map(({ path: p, name, version }) => ({ path: p, name, version }))
            expect(read).toEqual(entries.map(({ path: p, name, version }) => ({ path: p, name, version })))
          }
        ),
        PROPERTIES
      )
    })
  })
})
