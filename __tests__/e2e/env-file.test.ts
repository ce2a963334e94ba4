/**
 * End-to-end: `env-file` - every variable the step exports, in one file, read back by its real
 * consumers: the dotenv package parses the file's bytes, and bash and dash source it
 * (`set -a; . ./app.env`), into exactly the values the vault holds, without running any of them
 * (and JSON.parse the `json` format). The file follows the rules of `files` (under RUNNER_TEMP, new,
 * 0600, never through a link, checked before any request, removed by the post step); a value the
 * dotenv format cannot carry fails the step naming the secret, with nothing exported and no file
 * left. The committed dist/index.js against the stand-in, through the real SDK, over HTTPS.
 */
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals'
import dotenv from 'dotenv'
import {
  chmodSync,
  existsSync,
  lchownSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { assertNoLeak, runPost, type RunOptions, type RunResult } from '../support/runner.js'
import { Shells, sourceWith } from '../support/shell-readers.js'
import { expectFailure, expectSuccess } from '../support/steps.js'
import { useStandIn } from '../support/world.js'

jest.setTimeout(60_000)

const TENANT = '3c2b1a09-8f7e-4d6c-9b5a-4f3e2d1c0b9a'
const APP = '8f7e6d5c-4b3a-4291-8e0f-9d8c7b6a5f4e'
const VAULT = 'contoso-kv'

/** Secret name -> value: the values .env files get wrong, each on its own, that the dotenv format carries. */
const Tricky = {
  'tls-key': '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n',
  'single-quote': "it's-a-S3cret",
  'double-quote': 'say "hi" to the db',
  dollar: 'pa$$word-${HOME}-$(id)-$PATH-`id`',
  hash: 'abc #not-a-comment #',
  backslashes: 'C:\\dir\\new\\table \\" \\\\ end',
  'padded-value': '  leading and trailing  ',
  equals: 'a=b==c',
  unicode: 'pässwörd-🔑-ключ',
  'looks-like-a-line': 'first-line\nPATH=/tmp/evil\nexport NODE_OPTIONS=--require=/tmp/x'
} as const

/**
 * Secret name -> value: values no form of the dotenv format carries to every reader (dotenv, the
 * shells, docker compose); each fails the step, suggesting json, which carries them.
 */
const Refused = {
  'crlf-lines': 'line one\r\nline two\r\n',
  'all-quotes': `'single' "double" \`back\` ticks`,
  'quotes-on-lines': `"it's"\n'quoted' twice`,
  'quote-and-dollar': "it's $HOME",
  'win-dir': 'C:\\Very-Secret-Folder\\'
} as const

/** The variables export-env names them by. */
const envName = (name: string): string => name.toUpperCase().replace(/-/g, '_')
const variablesOf = (secrets: Readonly<Record<string, string>>): Record<string, string> =>
  Object.fromEntries(Object.entries(secrets).map(([name, value]) => [envName(name), value]))
const TrickyVariables = variablesOf(Tricky)
const RefusedVariables = variablesOf(Refused)

/** A JSON secret whose leaves are tricky too. */
const CONFIG = JSON.stringify({
  user: 'app',
  db: { host: 'db.internal', 'pass word': ` "quoted" and $HOME # ` },
  port: 5432,
  none: null
})
const ConfigVariables = {
  CONFIG_USER: 'app',
  CONFIG_DB_HOST: 'db.internal',
  CONFIG_DB_PASS_WORD: ` "quoted" and $HOME # `,
  CONFIG_PORT: '5432',
  CONFIG_NONE: ''
}

/** Ends with a backslash: in every quote it would hide the closing one. */
const UNCARRIED = Refused['win-dir']
const OUTSIDE = "a file that is not the action's\n"

const { s, step } = useStandIn({
  vault: {
    name: VAULT,
    tenantId: TENANT,
    clientId: APP,
    grants: ['get', 'list'],
    secrets: { ...Tricky, ...Refused, config: CONFIG, 'db-config': JSON.stringify({ dir: UNCARRIED, user: 'app' }) }
  }
})
let outside: string
let victim: string

beforeEach(() => {
  outside = mkdtempSync(join(tmpdir(), 'kv-env-outside-'))
  victim = join(outside, 'victim.env')
  writeFileSync(victim, OUTSIDE)
  chmodSync(victim, 0o644)
})
afterEach(() => {
  rmSync(outside, { recursive: true, force: true })
})

const ALL_TRICKY = Object.keys(Tricky).join('\n')
const AllValues = [...Object.values(Tricky), ...Object.values(Refused), CONFIG]

/** Runs with the work folders kept, hands them to `check`, then removes them. */
async function kept(
  inputs: Record<string, string>,
  check: (r: RunResult) => Promise<void> | void,
  options: Omit<RunOptions, 'inputs' | 'standin'> = {}
): Promise<void> {
  const r = await step(inputs, { ...options, keepWorkDir: true })
  try {
    await check(r)
  } finally {
    rmSync(dirname(r.workDir), { recursive: true, force: true })
  }
}

/** What a program that loads the file gets: its bytes, parsed by dotenv (both of its parsers). */
function dotenvRead(path: string): Record<string, string> {
  const bytes = readFileSync(path)
  const slow = { ...dotenv.parse(bytes) }
  expect({ ...dotenv.parse(bytes, { fast: true }) }).toEqual(slow)
  return slow
}

/** What a shell script that sources the file gets: exactly `variables`, from bash and from dash, with nothing on stderr. */
function expectShellsRead(path: string, variables: Readonly<Record<string, string>>, cwd: string): void {
  const readings = Shells.map((shell) => sourceWith(shell, path, Object.keys(variables), cwd))
  expect(readings).toEqual(Shells.map((shell) => ({ shell, values: variables, status: 0, stderr: '' })))
}

function expectOnlyOurs(path: string): void {
  const stats = lstatSync(path)
  expect(stats.isFile()).toBe(true)
  expect(stats.mode & 0o777).toBe(0o600)
  expect(stats.nlink).toBe(1)
}

/** Refused before any request: one error naming the input, nothing exported, nothing for the post step. */
function expectRefused(r: RunResult, ...phrases: string[]): string {
  const error = expectFailure(r, ...phrases)
  expect(s.requests).toEqual([])
  expect(r.state).toEqual({ 'written-files': '[]' })
  return error
}

describe('dotenv (the default): read back exactly by the dotenv package, bash and dash', () => {
  it('without export-env: every tricky value comes back byte for byte, to dotenv and to the shells; nothing goes to GITHUB_ENV; 0600; the post step removes it', async () => {
    await kept({ secrets: ALL_TRICKY, 'env-file': 'app.env' }, async (r) => {
      expectSuccess(r)
      const path = join(r.workDir, 'app.env')
      expect(r.outputs['env-file']).toBe(path)
      expect(dotenvRead(path)).toEqual(TrickyVariables)
      // Byte for byte, and in the order of the entries.
      for (const [name, value] of Object.entries(TrickyVariables)) expect(dotenvRead(path)[name]).toBe(value)
      expect(Object.keys(dotenvRead(path))).toEqual(Object.keys(TrickyVariables))
      expectShellsRead(path, TrickyVariables, r.workDir)
      expect(r.env).toEqual({})
      expectOnlyOurs(path)
      // One variable per line start: a value that looks like a line does not become a variable.
      expect(dotenvRead(path)).not.toHaveProperty('PATH')
      expect(dotenvRead(path)).not.toHaveProperty('NODE_OPTIONS')
      expect(r.summary).toContain('env-file TLS_KEY')
      assertNoLeak(r, AllValues, { perLine: true })

      const post = await runPost(r.state, { standin: s })
      expect({ exitCode: post.exitCode, errors: post.errors, warnings: post.warnings }).toEqual({
        exitCode: 0,
        errors: [],
        warnings: []
      })
      expect(post.log).toContain('Removed 1 secret file(s).')
      expect(existsSync(path)).toBe(false)
    })
  })

  it("the quoting chosen: single quotes keep a value as it is, over its lines; a value with a ' goes in double quotes", async () => {
    await kept({ secrets: 'tls-key\nsingle-quote\ndouble-quote\ndollar', 'env-file': 'app.env' }, (r) => {
      expectSuccess(r)
      expect(readFileSync(join(r.workDir, 'app.env'), 'utf8')).toBe(
        `TLS_KEY='${Tricky['tls-key']}'\n` +
          `SINGLE_QUOTE="it's-a-S3cret"\n` +
          `DOUBLE_QUOTE='say "hi" to the db'\n` +
          `DOLLAR='pa$$word-\${HOME}-$(id)-$PATH-\`id\`'\n`
      )
    })
  })

  it('with export-env: the same variables in GITHUB_ENV and in the file', async () => {
    await kept({ secrets: ALL_TRICKY, 'env-file': 'app.env', 'export-env': 'true' }, (r) => {
      expectSuccess(r)
      expect(r.env).toEqual(TrickyVariables)
      expect(dotenvRead(r.outputs['env-file'] ?? '')).toEqual(TrickyVariables)
      expectShellsRead(r.outputs['env-file'] ?? '', TrickyVariables, r.workDir)
    })
  })

  it('with parse-json: one variable per JSON leaf, named as export-env names them; aliases as written', async () => {
    await kept({ secrets: 'config\nMY_KEY=single-quote', 'parse-json': 'true', 'env-file': 'deploy/app.env' }, (r) => {
      expectSuccess(r)
      const path = join(r.workDir, 'deploy', 'app.env')
      expect(r.outputs['env-file']).toBe(path)
      expect(dotenvRead(path)).toEqual({ ...ConfigVariables, MY_KEY: Tricky['single-quote'] })
      expectShellsRead(path, { ...ConfigVariables, MY_KEY: Tricky['single-quote'] }, r.workDir)
      expect(statSync(dirname(path)).mode & 0o777).toBe(0o700)
      expect(r.env).toEqual({})
      assertNoLeak(r, [CONFIG, ConfigVariables.CONFIG_DB_PASS_WORD])
    })
  })

  it('secrets by a glob with a prefix alias: every match under the prefix, as export-env would export it', async () => {
    await kept({ secrets: 'Q_*=*-quote', 'env-file': 'app.env' }, (r) => {
      expectSuccess(r)
      expect(dotenvRead(r.outputs['env-file'] ?? '')).toEqual({
        Q_SINGLE_QUOTE: Tricky['single-quote'],
        Q_DOUBLE_QUOTE: Tricky['double-quote']
      })
    })
  })

  it('an absolute path outside RUNNER_TEMP is written too, by the same rules', async () => {
    const path = join(outside, 'nested', 'app.env')
    await kept({ 'secret-name': 'hash', 'env-file': path }, async (r) => {
      expectSuccess(r)
      expect(r.outputs['env-file']).toBe(path)
      expect(dotenvRead(path)).toEqual({ HASH: Tricky.hash })
      expectOnlyOurs(path)
      await runPost(r.state, { standin: s })
      expect(existsSync(path)).toBe(false)
    })
  })
})

describe('json: one flat object of variable name to value', () => {
  it('carries what dotenv cannot, JSON leaves included; JSON.parse gives back exactly the values', async () => {
    await kept(
      {
        secrets: `${ALL_TRICKY}\n${Object.keys(Refused).join('\n')}\nconfig`,
        'parse-json': 'true',
        'env-file': 'app.json',
        'env-file-format': 'JSON',
        'export-env': 'true'
      },
      (r) => {
        expectSuccess(r)
        const path = join(r.workDir, 'app.json')
        const expected = { ...TrickyVariables, ...RefusedVariables, ...ConfigVariables }
        const text = readFileSync(path, 'utf8')
        expect(JSON.parse(text)).toEqual(expected)
        expect(Object.keys(JSON.parse(text) as object)).toEqual(Object.keys(expected))
        expect(r.env).toEqual(expected)
        expectOnlyOurs(path)
        assertNoLeak(r, AllValues, { perLine: true })
      }
    )
  })
})

describe('a value the dotenv format cannot carry', () => {
  it.each([
    ['without export-env', {}],
    ['with export-env', { 'export-env': 'true' }]
  ])(
    '%s: one error naming the secret and suggesting json; nothing exported, no file left (the files entries neither)',
    async (_, more) => {
      await kept({ secrets: 'tls-key\nwin-dir', files: 'key.pem=tls-key', 'env-file': 'app.env', ...more }, (r) => {
        const error = expectFailure(
          r,
          "Input 'env-file': the dotenv format cannot carry the variable WIN_DIR (secret 'win-dir') exactly",
          "Set 'env-file-format: json'"
        )
        expect(error).not.toContain('Very-Secret')
        // It was read (the error comes after the reads), yet nothing was written anywhere.
        expect(s.requestsTo('vault', 'GET').some((req) => req.path.includes('/secrets/win-dir'))).toBe(true)
        expect(readdirSync(r.workDir)).toEqual([])
        expect(r.state).toEqual({ 'written-files': '[]' })
        assertNoLeak(r, [UNCARRIED, Tricky['tls-key']], { perLine: true })
      })
    }
  )

  it.each(Object.entries(Refused))(
    '%s: refused, naming the variable and the secret, suggesting json; the value nowhere; no file',
    async (name, value) => {
      await kept({ secrets: `tls-key\n${name}`, 'env-file': 'app.env' }, (r) => {
        const error = expectFailure(
          r,
          `Input 'env-file': the dotenv format cannot carry the variable ${envName(name)} (secret '${name}') exactly`,
          "Set 'env-file-format: json'"
        )
        expect(readdirSync(r.workDir)).toEqual([])
        assertNoLeak(r, [value], { perLine: true })
        expect(error).not.toContain(value)
      })
    }
  )

  it('a JSON leaf: the error names the field and the secret, never the value', async () => {
    await kept({ 'secret-name': 'db-config', 'parse-json': 'true', 'env-file': 'app.env' }, (r) => {
      const error = expectFailure(
        r,
        "the dotenv format cannot carry the variable DB_CONFIG_DIR (field 'dir' of secret 'db-config')",
        'env-file-format: json'
      )
      expect(error).not.toContain('Very-Secret')
      expect(readdirSync(r.workDir)).toEqual([])
      assertNoLeak(r, [UNCARRIED])
    })
  })
})

/**
 * What a vault writer (not trusted: many more people than the workflow's authors) stores to run
 * code where the file is read with `set -a; . ./app.env`; each broke out of a form the dotenv format
 * once used: single quotes with a backslash before a quote, double quotes with `$(...)`, the
 * backtick form, and a whole line in quotes. `MARKER` is the file the code would create.
 */
const Attacks: readonly (readonly [string, string, 'carried' | 'refused'])[] = [
  ['quote-after-backslash', "x\\' ; touch MARKER #", 'refused'],
  ['dollar-and-quote', "it's $(touch MARKER)", 'refused'],
  ['backtick-form', `"it's" ; touch MARKER`, 'refused'],
  ['whole-line', `' ; touch MARKER ; ' " \``, 'refused'],
  ['command-substitution', '$(touch MARKER)', 'carried'],
  ['backticks', '`touch MARKER`', 'carried']
]

describe('an attack from the vault: a shell that sources the file runs nothing', () => {
  it.each(Attacks)(
    '%s: sourced by bash and dash, no code runs and the value comes back exactly, or the step refuses it suggesting json',
    async (name, template, expected) => {
      const marker = join(outside, 'pwned')
      const value = template.replace('MARKER', marker)
      s.vault(VAULT).setSecret(name, value)
      await kept({ secrets: `hash\n${name}`, 'env-file': 'app.env' }, (r) => {
        const path = join(r.workDir, 'app.env')
        const variables = { HASH: Tricky.hash, [envName(name)]: value }
        if (existsSync(path)) {
          // Each shell on its own: whether it ran the code (then the marker is removed for the next).
          const readings = Shells.map((shell) => {
            const read = sourceWith(shell, path, Object.keys(variables), r.workDir)
            const pwned = existsSync(marker)
            rmSync(marker, { force: true })
            return { ...read, pwned }
          })
          expect(readings).toEqual(
            Shells.map((shell) => ({ shell, pwned: false, values: variables, status: 0, stderr: '' }))
          )
        }
        if (expected === 'carried') {
          expectSuccess(r)
          expect(dotenvRead(path)).toEqual(variables)
        } else {
          const error = expectFailure(
            r,
            `Input 'env-file': the dotenv format cannot carry the variable ${envName(name)} (secret '${name}') exactly`,
            "Set 'env-file-format: json'"
          )
          expect(error).not.toContain('touch')
          assertNoLeak(r, [value])
          expect(readdirSync(r.workDir)).toEqual([])
        }
        expect(existsSync(marker)).toBe(false)
      })
    }
  )
})

/** A link as a step of an ordinary job leaves it, owned by the runner's user (see e2e/files.test.ts; root's: temp-links.test.ts). */
function plantedByAStep(link: string): void {
  if (process.getuid?.() === 0) lchownSync(link, 65534, 65534)
}

describe('where it goes: refused before any request, by the rules of files', () => {
  it('a file already at the path: refused and left as it was', async () => {
    let planted = ''
    await kept(
      { 'secret-name': 'hash', 'env-file': 'app.env' },
      (r) => {
        expectRefused(r, `Input 'env-file' would write '${planted}', which already exists (a file)`)
        expect(readFileSync(planted, 'utf8')).toBe(OUTSIDE)
      },
      {
        prepare: ({ temp }) => {
          planted = join(temp, 'app.env')
          writeFileSync(planted, OUTSIDE)
        }
      }
    )
  })

  it('a symbolic link planted at the path: refused; the file it points at unchanged', async () => {
    const r = await step(
      { 'secret-name': 'hash', 'env-file': 'app.env', 'export-env': 'true' },
      { prepare: ({ temp }) => symlinkSync(victim, join(temp, 'app.env')) }
    )
    expectRefused(r, "Input 'env-file' would write", 'which already exists (a symbolic link)')
    expect(readFileSync(victim, 'utf8')).toBe(OUTSIDE)
    expect(statSync(victim).mode & 0o777).toBe(0o644)
  })

  it('a symbolic link planted as a folder on the way: refused, naming the link; nothing lands where it points', async () => {
    let link = ''
    const r = await step(
      { 'secret-name': 'hash', 'env-file': 'conf/app.env' },
      {
        prepare: ({ temp }) => {
          link = join(temp, 'conf')
          symlinkSync(outside, link)
          plantedByAStep(link)
        }
      }
    )
    expectRefused(r, `Input 'env-file' would write`, `through the symbolic link '${link}'`)
    expect(readdirSync(outside)).toEqual(['victim.env'])
  })

  it("a relative path that leaves RUNNER_TEMP ('../app.env'): refused, nothing written there", async () => {
    let escaped = ''
    const r = await step(
      { 'secret-name': 'hash', 'env-file': '../app.env' },
      { prepare: ({ temp }) => (escaped = resolve(temp, '../app.env')) }
    )
    expectRefused(r, "Input 'env-file' has a relative path that leads outside RUNNER_TEMP", 'Accepted:')
    expect(existsSync(escaped)).toBe(false)
  })

  it('the path of a files entry: refused, naming both', async () => {
    const r = await step({ 'secret-name': 'hash', files: './app.env=tls-key', 'env-file': 'app.env' })
    expectRefused(r, "Input 'files': the entry './app.env=tls-key' and input 'env-file' both write")
  })

  it('a path of two lines: refused', async () => {
    const r = await step({ 'secret-name': 'hash', 'env-file': 'app.env\nother.env' })
    expectRefused(r, "Input 'env-file' has the path", 'with a line break or control character')
  })

  it('env-file-format without env-file, and a format that is not one: refused, naming the input and what it accepts', async () => {
    const without = await step({ 'secret-name': 'hash', 'env-file-format': 'json' })
    expectRefused(without, "Input 'env-file-format' is only used with 'env-file'", "remove 'env-file-format'")
    const unknown = await step({ 'secret-name': 'hash', 'env-file': 'app.env', 'env-file-format': 'yaml' })
    expectRefused(unknown, "Input 'env-file-format' has an unknown value 'yaml'", 'dotenv', 'json')
  })

  it('with an operation other than get: refused', async () => {
    const r = await step({ operation: 'delete', 'secret-name': 'hash', 'env-file': 'app.env' })
    expectRefused(r, "Input 'env-file' is only used with 'operation: get'")
  })

  it('a named secret whose variable would be refused (PATH): refused before any request, naming env-file', async () => {
    const r = await step({ secrets: 'PATH=hash', 'env-file': 'app.env' })
    expectRefused(r, "Input 'env-file': secret 'PATH=hash' would be exported as PATH, which is refused")
  })
})
