import { Clouds, type Cloud } from '../clouds.js'
import { envNameFor } from '../envNames.js'
import { ActionError } from '../errors.js'
import { quote } from '../text.js'
import { isSecretName, isVaultName, SecretNameRule } from './names.js'
import { Inputs } from './table.js'
import type { Vault } from './vault.js'

/** One entry of the `secrets` input (or the single `secret-name`). */
export interface SecretEntry {
  /** The entry as written, for messages. */
  readonly text: string
  /** Output (and environment variable) name chosen by the user: `ALIAS=name`. */
  readonly alias?: string
  /** A glob's prefix alias (`KV_*=*`): every match goes out as `KV_<name>` (variable `KV_<NAME>`). */
  readonly prefix?: string
  /** An exact secret name, or a glob over all names (`app-*`, `*`, `?`). */
  readonly name: string
  readonly isGlob: boolean
  /** A specific version (32 hex characters); latest when absent. */
  readonly version?: string
  /** The vault a full identifier names (`https://other-kv.vault.azure.net/secrets/name`); absent: the step's vault. */
  readonly vault?: Vault
  /** `name#conn.host`: one leaf of a JSON value, by its keys (a number also selects an array element). */
  readonly field?: readonly string[]
}

/** `ALIAS=` for one secret, or a glob's prefix alias `KV_*=` (letters, digits and _, ending in _, then *). */
const ALIAS = String.raw`([A-Za-z_][A-Za-z0-9_-]*|[A-Za-z_][A-Za-z0-9_]*_\*)\s*=\s*`
const ENTRY = new RegExp(String.raw`^(?:${ALIAS})?([0-9A-Za-z*?-]+)(?:\/([0-9A-Za-z]+))?(?:#(.*))?$`)
const IDENTIFIER_ENTRY = new RegExp(String.raw`^(?:${ALIAS})?(https?:\/\/.*)$`, 'i')
const VERSION = /^[0-9a-fA-F]{32}$/
/** A key of a field path: no dot (it separates keys), no space, `#`, `,` or control character. */
const FIELD_KEY = /^[^\s.,#\p{Cc}]+$/u

const EntryForms =
  '`name`, `name/<32-hex version>`, `ALIAS=name`, `name#field.path`, a glob such as `app-*` (`*` any run of characters, `?` one character), ' +
  'a glob with a prefix alias such as `KV_*=*` (each match named KV_<name>), ' +
  'or a full identifier such as `https://other-kv.vault.azure.net/secrets/name[/<version>]`'

/**
 * Multi-line or comma-separated; blank lines and `#` comments are ignored, whole lines or after an
 * entry or a comma (`db-password  # for the deploy`, `a,# b`). A `#` right after a name
 * (`db-config#password`) selects a field of a JSON value instead.
 */
export function parseSecretsInput(raw: string, cloud: Cloud = Clouds['AzureCloud'] as Cloud): SecretEntry[] {
  const entries = splitEntries(raw).map((text) => parseEntry(text, cloud))
  if (entries.length === 0)
    throw new ActionError(`Input '${Inputs.Secrets}' names no secret. Give one entry per line: ${EntryForms}.`)
  return entries
}

/** The entries of a list input, as `parseSecretsInput` describes (also `github-secrets` and `github-selected-repositories`). */
export function splitEntries(raw: string): string[] {
  return raw
    .split(/\r\n|\r|\n/)
    .map((line) => line.replace(/(^|[\s,])#.*$/, '$1'))
    .flatMap((line) => line.split(','))
    .map((text) => text.trim())
    .filter((text) => text !== '')
}

function parseEntry(text: string, cloud: Cloud): SecretEntry {
  const malformed = (why: string): ActionError =>
    new ActionError(`Input '${Inputs.Secrets}' has a malformed entry ${shown(text)}: ${why}. Accepted: ${EntryForms}.`)
  const identifier = IDENTIFIER_ENTRY.exec(text)
  if (identifier) {
    const [, alias, url = ''] = identifier
    const reference = parseSecretIdentifier(url, cloud, Inputs.Secrets, malformed)
    return { text, ...aliasOf(alias, reference.isGlob, malformed), ...reference }
  }
  const match = ENTRY.exec(text)
  if (!match) throw malformed('it is not of a known form')
  const [, alias, name = '', version, fieldText] = match
  const isGlob = /[*?]/.test(name)
  if (isGlob && version) throw malformed('a glob cannot have an alias or a version')
  if (isGlob && fieldText !== undefined) throw malformed('a glob cannot select a field; name the secret')
  if (!isGlob && !isSecretName(name)) throw malformed(`a secret name is ${SecretNameRule}`)
  if (version !== undefined && !VERSION.test(version)) throw malformed('a version is 32 hexadecimal characters')
  const field = fieldText === undefined ? undefined : parseFieldPath(fieldText, malformed)
  return { text, ...aliasOf(alias, isGlob, malformed), name, isGlob, version, field }
}

/** One secret takes an alias (`DB=name`), a glob a prefix alias (`KV_*=app*`), and neither takes the other. */
function aliasOf(
  alias: string | undefined,
  isGlob: boolean,
  malformed: (why: string) => ActionError
): Pick<SecretEntry, 'alias' | 'prefix'> {
  if (alias === undefined) return { alias }
  const prefix = alias.endsWith('*') ? alias.slice(0, -1) : undefined
  if (isGlob && prefix === undefined)
    throw malformed(
      'a glob cannot have an alias or a version; it takes a prefix alias for all its matches (`KV_*=app-*`)'
    )
  if (!isGlob && prefix !== undefined)
    throw malformed('a prefix alias (`KV_*=`) is for a glob; one secret takes an alias without * (`DB=name`)')
  return prefix === undefined ? { alias } : { prefix }
}

/**
 * The prefix the workflow wrote for a glob's variable names: its prefix alias (`KV_*=*` -> KV_), or
 * its literal text up to the first wildcard when that ends in - or _ (`app-*` -> APP_). Undefined
 * when it wrote none (`*`, `app*`, `*-db`): then every name would be the vault's choice.
 */
export function variablePrefixOf(entry: Pick<SecretEntry, 'name' | 'isGlob' | 'prefix'>): string | undefined {
  if (!entry.isGlob) return undefined
  if (entry.prefix !== undefined) return entry.prefix
  const literal = /^[^*?]*/.exec(entry.name)?.[0] ?? ''
  return /[-_]$/.test(literal) ? literal.toUpperCase().replace(/-/g, '_') : undefined
}

/** An entry as messages show it: never one that may carry a password in a URL. */
const shown = (text: string): string =>
  /:\/\/[^/]*@/.test(text) ? '(not shown: a URL in it has a user or password)' : quote(text)

/** `conn.host` -> ['conn', 'host']: keys separated by dots, none empty. */
function parseFieldPath(text: string, malformed: (why: string) => ActionError): string[] {
  const keys = text.split('.')
  if (keys.some((key) => !FIELD_KEY.test(key)))
    throw malformed(
      'a field is JSON keys separated by dots (`#password`, `#conn.host`, `#hosts.0`), with no space, comma or empty key'
    )
  return keys
}

/**
 * A secret's full identifier, as the portal and `az` show it. Its host must be a vault of the
 * step's cloud, so no token is ever asked for, or sent to, another host; credentials, a query, a
 * fragment or any path but /secrets/{name}[/{version}] are refused.
 */
function parseSecretIdentifier(
  raw: string,
  cloud: Cloud,
  input: typeof Inputs.Secrets | typeof Inputs.Files,
  malformed: (why: string) => ActionError
): { readonly name: string; readonly isGlob: boolean; readonly version?: string; readonly vault: Vault } {
  // Never echo what may carry a password; the parser would also drop tabs and line breaks silently.
  if (raw.includes('@')) throw malformed('a secret identifier has no user or password (it contains @)')
  if (/[\s\p{Cc}]/u.test(raw)) throw malformed('it contains whitespace or control characters')
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw malformed('it is not a URL')
  }
  if (url.protocol !== 'https:') throw malformed('a secret identifier uses https')
  if (url.search || url.hash || raw.includes('#') || raw.includes('?'))
    throw malformed('a secret identifier has no query or fragment (`#field` selects a field of a plain name only)')
  const suffix = `.${cloud.vaultDnsSuffix}`
  const host = url.hostname.toLowerCase()
  const vaultName = host.endsWith(suffix) ? host.slice(0, -suffix.length) : ''
  if (!isVaultName(vaultName) || url.port)
    throw malformed(
      `the host ${quote(url.host)} is not a vault of '${Inputs.Environment}: ${cloud.name}' (https://<vault-name>${suffix})`
    )
  const path = /^\/secrets\/([0-9A-Za-z*?-]+)(?:\/([0-9A-Za-z]+))?$/.exec(url.pathname)
  if (!path) throw malformed('the path of a secret identifier is /secrets/<name> or /secrets/<name>/<version>')
  const [, name = '', version] = path
  const isGlob = /[*?]/.test(name)
  if (isGlob && version !== undefined) throw malformed('a glob cannot have a version')
  if (!isGlob && !isSecretName(name)) throw malformed(`a secret name is ${SecretNameRule}`)
  if (version !== undefined && !VERSION.test(version)) throw malformed('a version is 32 hexadecimal characters')
  return { name, isGlob, version, vault: { url: `https://${host}`, name: vaultName, input } }
}

/** Key Vault names are case-insensitive, and so are globs over them. */
export function globMatcher(glob: string): (name: string) => boolean {
  const source = glob.replace(/[*?]/g, (wildcard) => (wildcard === '*' ? '.*' : '.'))
  const pattern = new RegExp(`^${source}$`, 'i')
  return (name) => pattern.test(name)
}

/** A glob without a prefix of the workflow's cannot name variables or GitHub secrets: the error shows both fixes. */
export function vaultChosenNames(
  glob: Pick<SecretEntry, 'name'>,
  names: string,
  input: string = Inputs.Secrets
): ActionError {
  const literal = /^[^*?]*/.exec(glob.name)?.[0] ?? ''
  const prefixed = `${literal.replace(/[-_]*$/, '') || 'app'}-*`
  return new ActionError(
    `Input '${input}': the glob ${quote(glob.name)} in '${Inputs.Secrets}' would let the vault choose the names of ${names}: anyone who may write a secret there could name one JAVA_OPTS or LD_PRELOAD. ` +
      `Such names come from the workflow: give the glob a prefix ending in '-' or '_' (${quote(prefixed)} goes out as ${envNameFor(prefixed.slice(0, -1))}...), ` +
      `or a prefix alias (${quote(`KV_*=${glob.name}`)} goes out as KV_<NAME>).`
  )
}

/** One entry of the `files` input: write a secret's value to a file. */
export interface FileEntry {
  readonly text: string
  /** As written; relative paths resolve under RUNNER_TEMP. */
  readonly path: string
  readonly name: string
  readonly version?: string
  /** The vault a full identifier names; absent: the step's vault. */
  readonly vault?: Vault
  /** `path=name#field`: one leaf of a JSON value. */
  readonly field?: readonly string[]
}

const FILE_ENTRY = /^([^=]+?)\s*=\s*(.+)$/
const FILE_SECRET = /^([0-9A-Za-z-]+)(?:\/([0-9A-Za-z]+))?(?:#(.*))?$/

/** Multi-line `path=name[/version][#field]` (or `path=<full identifier>`) entries; blank lines and `#` comments are ignored. */
export function parseFilesInput(raw: string, cloud: Cloud = Clouds['AzureCloud'] as Cloud): FileEntry[] {
  return raw
    .split(/\r?\n/)
    .map((text) => text.trim())
    .filter((text) => text && !text.startsWith('#'))
    .map((text) => {
      const malformed = (why: string): ActionError =>
        new ActionError(
          `Input '${Inputs.Files}' has a malformed entry ${shown(text)}: ${why}. Accepted: path=name, path=name/<32-hex version>, path=name#field, or path=<full secret identifier>.`
        )
      const match = FILE_ENTRY.exec(text)
      if (!match) throw malformed('it is not of the form path=name')
      const [, path = '', secret = ''] = match
      if (/^https?:\/\//i.test(secret)) {
        const reference = parseSecretIdentifier(secret, cloud, Inputs.Files, malformed)
        if (reference.isGlob) throw malformed('a file holds one secret: no glob')
        return { text, path, name: reference.name, version: reference.version, vault: reference.vault }
      }
      const parts = FILE_SECRET.exec(secret)
      if (!parts) throw malformed('it is not of the form path=name')
      const [, name = '', version, fieldText] = parts
      if (!isSecretName(name)) throw malformed(`a secret name is ${SecretNameRule}`)
      if (version !== undefined && !VERSION.test(version)) throw malformed('a version is 32 hexadecimal characters')
      const field = fieldText === undefined ? undefined : parseFieldPath(fieldText, malformed)
      return { text, path, name, version, field }
    })
}
