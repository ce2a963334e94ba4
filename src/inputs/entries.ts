import { ActionError, quote } from '../errors.js'
import { Inputs } from './table.js'

import { isSecretName, SecretNameRule } from './names.js'

/** One entry of the `secrets` input (or the single `secret-name`). */
export interface SecretEntry {
  /** The entry as written, for messages. */
  readonly text: string
  /** Output (and environment variable) name chosen by the user: `ALIAS=name`. */
  readonly alias?: string
  /** An exact secret name, or a glob over all names (`app-*`, `*`, `?`). */
  readonly name: string
  readonly isGlob: boolean
  /** A specific version (32 hex characters); latest when absent. */
  readonly version?: string
}

const ENTRY = /^(?:([A-Za-z_][A-Za-z0-9_-]*)\s*=\s*)?([0-9A-Za-z*?-]+)(?:\/([0-9A-Za-z]+))?$/
const VERSION = /^[0-9a-fA-F]{32}$/

const EntryForms =
  '`name`, `name/<32-hex version>`, `ALIAS=name`, `ALIAS=name/<version>`, or a glob such as `app-*` (`*` any run of characters, `?` one character)'

/**
 * Multi-line or comma-separated; blank lines and `#` comments are ignored, whole lines or after an
 * entry or a comma (`db-password  # for the deploy`, `a,# b`). No entry form contains `#`, so a `#`
 * inside an entry (`db#password`) stays an error rather than cutting the name short.
 */
export function parseSecretsInput(raw: string): SecretEntry[] {
  const entries = splitEntries(raw).map(parseEntry)
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

function parseEntry(text: string): SecretEntry {
  const malformed = (why: string): ActionError =>
    new ActionError(`Input '${Inputs.Secrets}' has a malformed entry ${quote(text)}: ${why}. Accepted: ${EntryForms}.`)
  const match = ENTRY.exec(text)
  if (!match) throw malformed('it is not of a known form')
  const [, alias, name = '', version] = match
  const isGlob = /[*?]/.test(name)
  if (isGlob && (alias || version)) throw malformed('a glob cannot have an alias or a version')
  if (!isGlob && !isSecretName(name)) throw malformed(`a secret name is ${SecretNameRule}`)
  if (version !== undefined && !VERSION.test(version)) throw malformed('a version is 32 hexadecimal characters')
  return { text, alias, name, isGlob, version }
}

/** Key Vault names are case-insensitive, and so are globs over them. */
export function globMatcher(glob: string): (name: string) => boolean {
  const source = glob.replace(/[*?]/g, (wildcard) => (wildcard === '*' ? '.*' : '.'))
  const pattern = new RegExp(`^${source}$`, 'i')
  return (name) => pattern.test(name)
}

/** One entry of the `files` input: write a secret's value to a file. */
export interface FileEntry {
  readonly text: string
  /** As written; relative paths resolve under RUNNER_TEMP. */
  readonly path: string
  readonly name: string
  readonly version?: string
}

const FILE_ENTRY = /^([^=]+?)\s*=\s*([0-9A-Za-z-]+)(?:\/([0-9A-Za-z]+))?$/

/** Multi-line `path=name[/version]` entries; blank lines and `#` comments are ignored. */
export function parseFilesInput(raw: string): FileEntry[] {
  return raw
    .split(/\r?\n/)
    .map((text) => text.trim())
    .filter((text) => text && !text.startsWith('#'))
    .map((text) => {
      const malformed = (why: string): ActionError =>
        new ActionError(
          `Input '${Inputs.Files}' has a malformed entry ${quote(text)}: ${why}. Accepted: path=name or path=name/<32-hex version>.`
        )
      const match = FILE_ENTRY.exec(text)
      if (!match) throw malformed('it is not of the form path=name')
      const [, path = '', name = '', version] = match
      if (!isSecretName(name)) throw malformed(`a secret name is ${SecretNameRule}`)
      if (version !== undefined && !VERSION.test(version)) throw malformed('a version is 32 hexadecimal characters')
      return { text, path, name, version }
    })
}
