/**
 * The hostile-input table: every input of action.yml with each kind of bad value (empty,
 * whitespace only, wrong type, too long, bad characters, unknown choice), classified as refused
 * (one error naming the input, before any request), accepted (with a reason, and a value to try) or
 * not applicable. It is the hostile-input contract and its one source of truth:
 *
 * - __tests__/unit/hostile-inputs.test.ts keeps it in step with action.yml and runs every row in
 *   process, the way the action's main step reads its inputs and reports a refusal;
 * - __tests__/e2e/hostile-inputs.test.ts runs the committed bundle as the runner does on a sample of
 *   the refused values (`e2eSample`: one per kind, and each kind of sensitive value), every accepted
 *   example and the blank runs, against the stand-in.
 *
 * Where a kind is legitimately accepted (blank means the default, free text, a value stored byte for
 * byte) the table says so with a reason.
 */
import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const TENANT = '7d3e1c2a-5b6f-4a8e-9c0d-1e2f3a4b5c6d'
export const CLIENT = 'c4f1a9e2-3b7d-4e6a-8f0b-2d5c7e9a1b3f'
export const SP_SECRET = 'Sp8Q~hostile.Client-Secret_Value42'
export const STORED_VALUE = 'db-P@ssw0rd!stored-in-hostile-vault'
export const NEW_VALUE = 'n3w-V@lue-for-a-hostile-set'
export const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com'
export const AUDIENCE = 'api://AzureADTokenExchange'

/** Inputs whose value is a secret: a bad (or accepted) value of theirs must never reach the log. */
export const SensitiveInputs = new Set(['secret-value', 'client-secret', 'creds', 'github-token'])

// -- the kinds of bad value -----------------------------------------------------------------------

export const Kinds = ['empty', 'whitespace', 'wrongType', 'tooLong', 'badChars', 'unknownEnum'] as const
export type Kind = (typeof Kinds)[number]

/** The other inputs of a run: with them the run would succeed, so the input under test is the only problem. */
export interface Context {
  readonly name: string
  readonly inputs: Readonly<Record<string, string>>
  /** Sign in with GitHub OIDC (the runner's ID token variables are set). */
  readonly oidc?: boolean
  readonly env?: Readonly<Record<string, string>>
}

/** Refused before any request, by one error naming the input. */
export interface Refused {
  readonly outcome: 'refused'
  readonly values: readonly string[]
  readonly context: Context
  /** Other text that must never show (a password inside a URL, a client secret inside creds). */
  readonly secrets: readonly string[]
  /**
   * When the error is not about the input alone (it starts with neither `Input '<name>'` nor
   * `'<name>'`), a phrase it must contain besides `'<name>'`.
   */
  readonly says?: string
}

/** A legitimate value. `blank`: it means the default (or "not given"); all blanks are run together. */
export interface Accepted {
  readonly outcome: 'accepted'
  readonly reason: string
  readonly blank?: true
  /** Run on its own in `context`; without one (and not blank) it is covered by another row. */
  readonly example?: string
  readonly context: Context
  /** Why the example run still fails at Azure (it must reach the stand-in all the same). */
  readonly failsAtAzure?: string
}

/** The kind does not exist for this input (an unknown choice of a free-text input). */
export interface NotApplicable {
  readonly outcome: 'not applicable'
  readonly reason: string
}

export type Classification = Refused | Accepted | NotApplicable
export type Row = Readonly<Record<Kind, Classification>>

// -- contexts -------------------------------------------------------------------------------------

const SP = { 'client-id': CLIENT, 'tenant-id': TENANT, 'client-secret': SP_SECRET }
export const SP_ENV = { AZURE_CLIENT_ID: CLIENT, AZURE_TENANT_ID: TENANT, AZURE_CLIENT_SECRET: SP_SECRET }
const GET: Context = { name: 'get', inputs: { 'vault-name': 'contoso-kv', 'secret-name': 'db-password', ...SP } }
const SET: Context = {
  name: 'set',
  inputs: { ...GET.inputs, operation: 'set', 'secret-name': 'api-key', 'secret-value': NEW_VALUE }
}
/** set with no value source: the input under test is the one that gives it. */
const SET_FROM_FILE: Context = { name: 'set, value from a file', inputs: { ...SET.inputs, 'secret-value': '' } }
const GENERATE: Context = { name: 'set, generated', inputs: { ...SET_FROM_FILE.inputs, generate: 'true' } }
const DELETE: Context = { name: 'delete', inputs: { ...GET.inputs, operation: 'delete' } }
const BY_URL: Context = { name: 'get by vault-url', inputs: { ...GET.inputs, 'vault-name': '' } }
const BY_SECRETS: Context = { name: 'get by secrets', inputs: { ...GET.inputs, 'secret-name': '' } }
/** get by a glob: `match-tags` narrows globs only, and a step without one is refused. */
const BY_GLOB: Context = { name: 'get by a glob', inputs: { ...BY_SECRETS.inputs, secrets: 'db-*' } }
const BY_CREDS: Context = { name: 'get, creds', inputs: { 'vault-name': 'contoso-kv', 'secret-name': 'db-password' } }
const GH_TOKEN = 'github_pat_11HOSTILE0token0never0shown0XYZ'
/** get, then GitHub: the stand-in's GitHub has no repository, so a run that passes the inputs fails at GitHub. */
const GH_SYNC: Context = {
  name: 'get, then GitHub',
  inputs: { ...GET.inputs, 'github-secrets': 'db-password', 'github-token': GH_TOKEN }
}
const GH_ORG: Context = {
  name: 'get, then GitHub organization',
  inputs: { ...GH_SYNC.inputs, 'github-org': 'octo-org' }
}
const GH_SELECTED: Context = {
  name: 'get, then GitHub organization, selected repositories',
  inputs: { ...GH_ORG.inputs, 'github-org-visibility': 'selected', 'github-selected-repositories': 'app' }
}
/** get, with every variable written to an env file. */
const ENV_FILE: Context = { name: 'get, env-file', inputs: { ...GET.inputs, 'env-file': 'app.env' } }
const OIDC: Context = {
  name: 'get, oidc',
  inputs: { 'vault-name': 'contoso-kv', 'secret-name': 'db-password', 'client-id': CLIENT, 'tenant-id': TENANT },
  oidc: true
}

// -- builders -------------------------------------------------------------------------------------

const refuse = (
  values: string | readonly string[],
  context: Context = GET,
  more: { secrets?: readonly string[]; says?: string } = {}
): Refused => ({
  outcome: 'refused',
  values: typeof values === 'string' ? [values] : values,
  context,
  secrets: more.secrets ?? [],
  ...(more.says !== undefined && { says: more.says })
})
const blank = (reason: string, context: Context = GET): Accepted => ({
  outcome: 'accepted',
  reason,
  blank: true,
  context
})
const accept = (reason: string, example: string, context: Context, failsAtAzure?: string): Accepted => ({
  outcome: 'accepted',
  reason,
  example,
  context,
  ...(failsAtAzure !== undefined && { failsAtAzure })
})
const na = (reason: string): NotApplicable => ({ outcome: 'not applicable', reason })

// core.getInput trims, so whitespace only is blank too.
const DEFAULT = 'blank means the default'
const ABSENT = 'blank means not given'

/** `true`/`false` inputs. */
function booleanRow(context: Context = GET, blankMeans = DEFAULT): Row {
  return {
    empty: blank(blankMeans, context),
    whitespace: blank(blankMeans, context),
    wrongType: refuse('1', context),
    tooLong: refuse('true'.repeat(64), context),
    badChars: refuse('true\nfalse', context),
    unknownEnum: refuse('yes', context)
  }
}

/** Inputs with a fixed set of values. */
function choiceRow(known: string, unknown: readonly string[], context: Context = GET): Row {
  return {
    empty: blank(DEFAULT, context),
    whitespace: blank(DEFAULT, context),
    wrongType: refuse('true', context),
    tooLong: refuse(known.repeat(30), context),
    badChars: refuse([`${known}\u0001`, `${known}\n${known}`], context),
    unknownEnum: refuse(unknown, context)
  }
}

/** Whole numbers within bounds. */
function wholeNumberRow(max: number, context: Context = GET): Row {
  return {
    empty: blank(DEFAULT, context),
    whitespace: blank(DEFAULT, context),
    wrongType: refuse(['abc', '3.5', '-1'], context),
    tooLong: refuse([String(max + 1), '9'.repeat(400)], context),
    badChars: refuse('１６', context),
    unknownEnum: na('a number')
  }
}

/** expires and not-before: an ISO date-time, a date or a duration. */
const momentRow: Row = {
  empty: blank(ABSENT, SET),
  whitespace: blank(ABSENT, SET),
  wrongType: refuse('true', SET),
  tooLong: refuse(`P${'9'.repeat(400)}D`, SET),
  badChars: refuse(['90 days', '2027-01-31T00:00:00'], SET),
  unknownEnum: na('a moment')
}

// Files for secret-value-file, written in beforeAll; absolute paths work from any workspace.
const valueFiles = mkdtempSync(join(tmpdir(), 'kv-hostile-'))
const TOO_BIG_FILE = join(valueFiles, 'too-big.txt')
const NOT_UTF8_FILE = join(valueFiles, 'latin1.txt')
const EMPTY_FILE = join(valueFiles, 'empty.txt')
const A_FOLDER = join(valueFiles, 'folder')
/** 30 KB of secret-looking text: over Key Vault's 25 KB. */
export const HUGE_SECRET = randomBytes(23_000).toString('base64')
export const CREDS_SECRET = 'Cr3ds~Secret.In-Json_Value77'
export const URL_PASSWORD = 'Pa55w0rd-in-the-URL'

/**
 * Every input of action.yml, classified for every kind (TypeScript keeps each row complete; the
 * first test keeps the table in step with action.yml).
 */
export const Table: Readonly<Record<string, Row>> = {
  'vault-name': {
    empty: refuse(''),
    whitespace: refuse(' \t '),
    wrongType: refuse('12345'),
    tooLong: refuse('k'.repeat(25)),
    badChars: refuse(['contoso--kv', 'kv_bad!', 'contoso\u0007kv']),
    unknownEnum: na('a name')
  },
  'vault-url': {
    empty: blank('blank means not given; vault-name names the vault'),
    whitespace: blank('blank means not given; vault-name names the vault'),
    wrongType: refuse('contoso-kv', BY_URL),
    tooLong: refuse(
      [
        `https://${'k'.repeat(64)}.vault.azure.net`,
        `https://${Array.from({ length: 9 }, () => 'k'.repeat(30)).join('.')}.vault.azure.net`
      ],
      BY_URL
    ),
    badChars: refuse(
      [
        'http://contoso-kv.vault.azure.net',
        'https://contoso-kv.vault.azure.net/secrets/db-password',
        `https://admin:${URL_PASSWORD}@contoso-kv.vault.azure.net`,
        `https://admin:${URL_PASSWORD}@contoso kv.vault.azure.net`,
        'https://contoso\u0001kv.vault.azure.net',
        'https://contoso-kv.vault.\nazure.net'
      ],
      BY_URL,
      { secrets: [URL_PASSWORD] }
    ),
    unknownEnum: na('a URL')
  },
  operation: choiceRow('get', ['fetch', 'read']),
  'secret-name': {
    empty: refuse(''),
    whitespace: refuse('\t\n '),
    wrongType: refuse('["db-password"]'),
    tooLong: refuse('s'.repeat(128)),
    badChars: refuse(['db_password', 'db/password', 'db\u0007password']),
    unknownEnum: na('a name')
  },
  secrets: {
    empty: blank('blank means not given; secret-name names the secret'),
    whitespace: blank('blank means not given; secret-name names the secret'),
    wrongType: refuse('{"db-password":"DB"}', BY_SECRETS),
    tooLong: refuse('s'.repeat(128), BY_SECRETS),
    badChars: refuse(
      [
        'db_password',
        'DB=app-*',
        ',',
        'db\u0007password',
        'db-config#',
        'db-config#a..b',
        'app-*#field',
        // A certificate's PFX is binary: never an output or a variable.
        'db-password#pfx',
        'TLS=site-cert#pfx',
        'https://attacker.example/secrets/db-password',
        'https://contoso-kv.vault.azure.net.attacker.example/secrets/db-password',
        'https://contoso-kv.vault.azure.cn/secrets/db-password',
        'http://contoso-kv.vault.azure.net/secrets/db-password',
        `https://admin:${URL_PASSWORD}@contoso-kv.vault.azure.net/secrets/db-password`,
        'https://contoso-kv.vault.azure.net/secrets/db-password?api-version=1',
        'https://contoso-kv.vault.azure.net/secrets/db-password#password',
        'https://contoso-kv.vault.azure.net/keys/db-password',
        'https://contoso-kv.vault.azure.net:444/secrets/db-password'
      ],
      BY_SECRETS,
      { secrets: [URL_PASSWORD] }
    ),
    unknownEnum: na('a list of names')
  },
  'match-tags': {
    empty: blank(ABSENT),
    whitespace: blank(ABSENT),
    wrongType: accept(
      'a line without = is a key alone (the tag with any value), and Key Vault tag keys are free text: compared exactly, never run or printed',
      '{"env":"prod"}',
      BY_GLOB
    ),
    tooLong: refuse(
      [`env=${'v'.repeat(257)}`, 'k'.repeat(257), Array.from({ length: 16 }, (_, i) => `t${i}=v`).join('\n')],
      BY_GLOB
    ),
    badChars: refuse(['=prod', 'env=prod\u0007', 'env\tstage=prod', 'env=prod\nenv=dev'], BY_GLOB),
    unknownEnum: na('key=value lines')
  },
  files: {
    empty: blank(ABSENT),
    whitespace: blank(ABSENT),
    wrongType: refuse('["db-password"]'),
    tooLong: refuse(`out.txt=${'s'.repeat(128)}`),
    badChars: refuse(
      [
        'out.txt=db_password',
        'out.txt',
        'out.txt=db\u0007password',
        'out.txt=db-config#',
        'out.txt=https://attacker.example/secrets/db-password',
        `out.txt=https://admin:${URL_PASSWORD}@contoso-kv.vault.azure.net/secrets/db-password`,
        'out.txt=https://contoso-kv.vault.azure.net/secrets/app-*'
      ],
      GET,
      { secrets: [URL_PASSWORD] }
    ),
    unknownEnum: na('a list of path=name entries')
  },
  'parse-json': booleanRow(),
  'ignore-missing': booleanRow(),
  'expiry-warning': {
    empty: blank(DEFAULT),
    whitespace: blank(DEFAULT),
    wrongType: refuse(['true', '2027-01-31', '2027-01-31T00:00:00Z']),
    tooLong: refuse([`P${'9'.repeat(400)}D`, '9999999d']),
    badChars: refuse(['30 days', '-30d', '30d\u0007', 'P30D\n7d']),
    unknownEnum: na('a duration')
  },
  'fail-on-expired': booleanRow(),
  concurrency: wholeNumberRow(64),
  'secret-value': {
    empty: refuse('', SET, { says: 'needs exactly one value source' }),
    whitespace: accept('stored byte for byte, not trimmed: whitespace is a value', ' \t  ', SET),
    wrongType: accept('any text is a value', '{"not": ["a", "string"]}', SET),
    tooLong: refuse(HUGE_SECRET, SET),
    badChars: accept(
      'stored byte for byte, control characters included',
      'ctl\u0007\u001b[31m-V@lue%0A\r\n::error::line 2',
      SET
    ),
    unknownEnum: na('free text')
  },
  'secret-value-file': {
    empty: blank('blank means not given; secret-value gives the value', SET),
    whitespace: blank('blank means not given; secret-value gives the value', SET),
    wrongType: refuse([A_FOLDER, EMPTY_FILE], SET_FROM_FILE),
    tooLong: refuse([TOO_BIG_FILE, 'p'.repeat(5000)], SET_FROM_FILE),
    badChars: refuse([NOT_UTF8_FILE, 'no-such\u0001file.txt'], SET_FROM_FILE),
    unknownEnum: na('a path')
  },
  generate: booleanRow(SET),
  'generate-length': wholeNumberRow(4096, GENERATE),
  'generate-charset': choiceRow('hex', ['emoji', 'base64'], GENERATE),
  'content-type': {
    empty: blank(ABSENT, SET),
    whitespace: blank(ABSENT, SET),
    wrongType: accept('free text: any single line of up to 255 characters', '{"type": 42} ; charset=💥', SET),
    tooLong: refuse('t'.repeat(256), SET),
    badChars: refuse(['text/plain\nx-injected: 1', 'text/plain\u0007'], SET),
    unknownEnum: na('free text')
  },
  tags: {
    empty: blank(ABSENT, SET),
    whitespace: blank(ABSENT, SET),
    wrongType: refuse('{"owner":"platform"}', SET),
    tooLong: refuse(
      [`owner=${'v'.repeat(257)}`, `${'k'.repeat(257)}=v`, Array.from({ length: 16 }, (_, i) => `t${i}=v`).join('\n')],
      SET
    ),
    badChars: refuse(['owner', '=platform'], SET),
    unknownEnum: na('key=value lines')
  },
  expires: momentRow,
  'not-before': momentRow,
  enabled: booleanRow(SET, ABSENT),
  'skip-unchanged': booleanRow(SET),
  'if-deleted': choiceRow('recover', ['overwrite', 'ignore'], SET),
  wait: booleanRow(DELETE),
  purge: booleanRow(DELETE),
  'client-id': {
    empty: blank('blank means the AZURE_CLIENT_ID fallback'),
    whitespace: blank('blank means the AZURE_CLIENT_ID fallback'),
    wrongType: refuse('true'),
    tooLong: refuse(`${CLIENT}0`),
    badChars: refuse([CLIENT.replace('c', 'g'), `${CLIENT.slice(0, 10)}\u0007${CLIENT.slice(11)}`]),
    unknownEnum: na('a GUID')
  },
  'tenant-id': {
    empty: blank('blank means the AZURE_TENANT_ID fallback'),
    whitespace: blank('blank means the AZURE_TENANT_ID fallback'),
    wrongType: refuse('12345'),
    tooLong: refuse([
      `${Array.from({ length: 5 }, () => 't'.repeat(60)).join('.')}.com`,
      `${'t'.repeat(64)}.onmicrosoft.com`
    ]),
    badChars: refuse(['contoso_tenant.com', `${TENANT}\u0007`]),
    unknownEnum: na('a GUID or a domain')
  },
  'client-secret': {
    empty: blank('blank means the AZURE_CLIENT_SECRET fallback'),
    whitespace: blank('blank means the AZURE_CLIENT_SECRET fallback'),
    wrongType: accept(
      'opaque: only Entra ID can judge a client secret',
      '{"secret": true}',
      GET,
      'Entra ID rejects a wrong secret'
    ),
    tooLong: accept(
      'opaque: only Entra ID can judge a client secret',
      `Sp~${randomBytes(3000).toString('base64')}`,
      GET,
      'Entra ID rejects a wrong secret'
    ),
    badChars: accept(
      'opaque: only Entra ID can judge a client secret',
      'Sp~ctl\u0007\u001b[0m%0A&x=y\r\n::error::',
      GET,
      'Entra ID rejects a wrong secret'
    ),
    unknownEnum: na('opaque text')
  },
  creds: {
    empty: blank('blank means not given; client-id, tenant-id and client-secret sign in'),
    whitespace: blank('blank means not given; client-id, tenant-id and client-secret sign in'),
    wrongType: refuse(
      [
        `["${CLIENT}", "${CREDS_SECRET}", "${TENANT}"]`,
        `{"clientId": 42, "clientSecret": "${CREDS_SECRET}", "tenantId": "${TENANT}"}`
      ],
      BY_CREDS,
      { secrets: [CREDS_SECRET] }
    ),
    tooLong: accept(
      'no limit: three fields are read and only Entra ID judges the secret',
      JSON.stringify({
        clientId: CLIENT,
        clientSecret: `Cr~${randomBytes(3000).toString('base64')}`,
        tenantId: TENANT,
        padding: 'p'.repeat(20_000)
      }),
      BY_CREDS,
      'Entra ID rejects a wrong secret'
    ),
    badChars: refuse(
      [
        `{"clientId": "${CLIENT}", "clientSecret": "${CREDS_SECRET}", "tenantId": "${TENANT}"`,
        `{"clientId": "${CLIENT}", "clientSecret": "${CREDS_SECRET}\u0001", "tenantId": "${TENANT}"}`,
        `{"clientId": "${CLIENT}", "clientSecret": "${CREDS_SECRET}", "tenantId": "not a tenant"}`
      ],
      BY_CREDS,
      { secrets: [CREDS_SECRET] }
    ),
    unknownEnum: na('JSON')
  },
  'auth-type': choiceRow('oidc', ['password', 'service_principal']),
  audience: {
    empty: blank(DEFAULT),
    whitespace: blank(DEFAULT),
    wrongType: accept(
      'free text: Entra ID decides which audiences a federated credential trusts',
      '42',
      OIDC,
      'no federated credential trusts that audience'
    ),
    tooLong: accept(
      'free text: Entra ID decides which audiences a federated credential trusts',
      `api://${'a'.repeat(2000)}`,
      OIDC,
      'no federated credential trusts that audience'
    ),
    badChars: accept(
      'free text, sent URL-encoded',
      'api://a&b=c#d e%0A',
      OIDC,
      'no federated credential trusts that audience'
    ),
    unknownEnum: na('free text')
  },
  environment: choiceRow('AzureCloud', ['AzurePublic', 'AzureGermanCloud']),
  'export-env': booleanRow(),
  'env-file': {
    empty: blank(ABSENT),
    whitespace: blank(ABSENT),
    wrongType: refuse(['.', '/']),
    tooLong: refuse(`${'e'.repeat(300)}.env`),
    badChars: refuse(['app.env\nother.env', 'app\u0007.env', '../../escape.env']),
    unknownEnum: na('a path')
  },
  'env-file-format': choiceRow('json', ['yaml', 'env', 'docker'], ENV_FILE),
  summary: booleanRow(),
  timeout: wholeNumberRow(3600),
  'min-mask-length': wholeNumberRow(64),
  'tag-provenance': booleanRow(SET),
  'github-secrets': {
    empty: blank(ABSENT),
    whitespace: blank(ABSENT),
    wrongType: refuse('{"DB": "db-password"}', GH_SYNC),
    tooLong: refuse(`${'A'.repeat(300)}=missing-${'x'.repeat(200)}`, GH_SYNC),
    badChars: refuse(
      ['DB PASS=db-password', 'DB=db-password\u0007', 'GITHUB_TOKEN=db-password', '1DB=db-password'],
      GH_SYNC
    ),
    unknownEnum: na('entries')
  },
  'github-token': {
    empty: blank(ABSENT),
    whitespace: blank(ABSENT),
    wrongType: accept(
      'opaque: only GitHub can judge a token',
      '{"token":true}',
      GH_SYNC,
      'GitHub rejects an unknown token'
    ),
    tooLong: accept(
      'opaque: only GitHub can judge a token',
      `ghp_${'x'.repeat(5000)}`,
      GH_SYNC,
      'GitHub rejects an unknown token'
    ),
    badChars: refuse(['ghp_abc\r\nX-Injected: 1', 'ghp_ab c', 'ghp_äbc'], GH_SYNC),
    unknownEnum: na('opaque text')
  },
  'github-repository': {
    empty: blank('blank means GITHUB_REPOSITORY (this repository)'),
    whitespace: blank('blank means GITHUB_REPOSITORY (this repository)'),
    wrongType: refuse('42', GH_SYNC),
    tooLong: refuse(`octo-org/${'r'.repeat(101)}`, GH_SYNC),
    badChars: refuse(['octo-org/app name', 'octo-org/..', 'octo org/app', 'octo-org/app\u0007', 'a/b/c'], GH_SYNC),
    unknownEnum: na('owner/name')
  },
  'github-environment': {
    empty: blank(ABSENT),
    whitespace: blank(ABSENT),
    wrongType: accept('free text: any name GitHub allows for an environment', '42', GH_SYNC, 'no such environment'),
    tooLong: refuse('e'.repeat(256), GH_SYNC),
    badChars: refuse(['prod\u0007', '..'], GH_SYNC),
    unknownEnum: na('a name')
  },
  'github-org': {
    empty: blank(ABSENT),
    whitespace: blank(ABSENT),
    wrongType: accept('a login may be digits only', '42', GH_SYNC, 'no such organization'),
    tooLong: refuse('o'.repeat(40), GH_SYNC),
    badChars: refuse(['octo org', 'octo_org', '-octo'], GH_SYNC),
    unknownEnum: na('a login')
  },
  'github-org-visibility': choiceRow('selected', ['public', 'internal'], GH_ORG),
  'github-selected-repositories': {
    empty: blank(ABSENT),
    whitespace: blank(ABSENT),
    wrongType: refuse('{"repos": ["app"]}', GH_SELECTED),
    tooLong: refuse('r'.repeat(101), GH_SELECTED),
    badChars: refuse(['app name', '..', 'octo-org/app'], GH_SELECTED),
    unknownEnum: na('names')
  },
  'github-secret-store': choiceRow('dependabot', ['codespaces', 'secrets'], GH_SYNC)
}

/**
 * Entries that no check before the first request can refuse, because what `#word` means depends
 * on what the secret holds (a certificate takes a part, a JSON value a field path, any other value
 * `#base64` or `#hex`): refused once the secret is read, by one error that names the input and the
 * entry, says what is accepted, and never shows the value; nothing is exported or written. They run
 * end to end in __tests__/e2e/certificates.test.ts against a vault holding `db-password`
 * (STORED_VALUE, no content type) and `site-cert` (a PEM certificate without a chain).
 */
export const ReadTimeRefusals: readonly {
  readonly input: 'secrets' | 'files'
  readonly value: string
  readonly says: string
}[] = [
  { input: 'secrets', value: 'db-password#key', says: 'holds no certificate (it has no content type' },
  { input: 'secrets', value: 'db-password#fullchain', says: "so it has no part '#fullchain'" },
  { input: 'secrets', value: 'db-password#base64', says: 'is not base64 text' },
  { input: 'secrets', value: 'db-password#hex', says: 'is not hex text' },
  { input: 'secrets', value: 'site-cert#keys', says: "'#keys' is not one of its parts" },
  { input: 'secrets', value: 'site-cert#chain', says: "gives no '#chain': its chain is empty" },
  { input: 'secrets', value: 'site-cert#key.pem', says: "'#key.pem' is not one of its parts" },
  { input: 'files', value: 'out.key=db-password#key', says: 'holds no certificate' },
  { input: 'files', value: 'out.pfx=db-password#pfx', says: "so it has no part '#pfx'" },
  { input: 'files', value: 'out.bin=db-password#base64', says: 'is not base64 text' },
  { input: 'files', value: 'out.bin=db-password#hex', says: 'is not hex text' },
  { input: 'files', value: 'out.pem=site-cert#PEM', says: "'#PEM' is not one of its parts" },
  { input: 'files', value: 'chain.pem=site-cert#chain', says: 'its chain is empty' }
]

// -- cases ----------------------------------------------------------------------------------------

export interface RefusedCase {
  readonly title: string
  readonly input: string
  readonly kind: Kind
  readonly value: string
  readonly refused: Refused
}

/** A short, printable rendition of a value for a test title. */
export function show(value: string): string {
  const escaped = JSON.stringify(value)
  return escaped.length > 44 ? `${escaped.slice(0, 32)}...(${value.length} chars)` : escaped
}

export const classified = Object.entries(Table).flatMap(([input, row]) =>
  Kinds.map((kind) => ({ input, kind, classification: row[kind] }))
)

export const refusedCases: RefusedCase[] = classified.flatMap(({ input, kind, classification }) =>
  classification.outcome === 'refused'
    ? classification.values.map((value) => ({
        title: `${input}, ${kind}: ${show(value)}`,
        input,
        kind,
        value,
        refused: classification
      }))
    : []
)

export const exampleCases = classified.flatMap(({ input, kind, classification }) =>
  classification.outcome === 'accepted' && classification.example !== undefined
    ? [
        {
          title: `${input}, ${kind}: ${show(classification.example)} (${classification.reason})`,
          input,
          value: classification.example,
          accepted: classification
        }
      ]
    : []
)

/** Writes the files the secret-value-file rows name; once per process, before they run. */
export function writeValueFiles(): void {
  writeFileSync(TOO_BIG_FILE, HUGE_SECRET)
  writeFileSync(NOT_UTF8_FILE, Buffer.from([0x70, 0xe4, 0x73, 0x73, 0xff, 0x0a]))
  writeFileSync(EMPTY_FILE, '')
  mkdirSync(A_FOLDER, { recursive: true })
}

export function removeValueFiles(): void {
  rmSync(valueFiles, { recursive: true, force: true })
}

/** A sensitive input's own value, the given extras, and every credential and value in play. */
export const secretsOf = (input: string, value: string, extra: readonly string[] = []): string[] => [
  ...(SensitiveInputs.has(input) ? [value] : []),
  ...extra,
  SP_SECRET,
  NEW_VALUE,
  STORED_VALUE
]

/**
 * The refused values the end-to-end test runs through the committed bundle (the unit test runs them
 * all in process): the first of each kind, the first of each context (get, set, set from a file,
 * generate, delete, by URL, by secrets, creds), and, for each row whose values are or hold secrets,
 * the first value that does, so masking is proven through the runner for every kind of secret.
 */
export const e2eSample: readonly RefusedCase[] = (() => {
  const picked = new Set<RefusedCase>()
  const firstWhere = (keep: (c: RefusedCase) => boolean): void => {
    const found = refusedCases.find(keep)
    if (found) picked.add(found)
  }
  for (const kind of Kinds) firstWhere((c) => c.kind === kind)
  for (const context of new Set(refusedCases.map((c) => c.refused.context)))
    firstWhere((c) => c.refused.context === context)
  for (const c of refusedCases) {
    const secrets = c.refused.secrets
    if (secrets.length === 0 && !SensitiveInputs.has(c.input)) continue
    const sameRow = refusedCases.filter((o) => o.refused === c.refused)
    firstWhere((o) => o === (sameRow.find((v) => secrets.some((secret) => v.value.includes(secret))) ?? sameRow[0]))
  }
  return refusedCases.filter((c) => picked.has(c))
})()
