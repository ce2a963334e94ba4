import type { Cloud } from '../clouds.js'
import type { EnvFileFormat } from '../envFile.js'
import { ActionError } from '../errors.js'
import { quote } from '../text.js'
import { checkFileTargets, fileTargetOf, type FileTarget } from './fileTargets.js'
import { parseFilesInput, parseSecretsInput, type FileEntry, type SecretEntry } from './entries.js'
import { isSecretName, SecretNameRule } from './names.js'
import { readChoice, readText } from './read.js'
import { InputTable, Inputs } from './table.js'

/**
 * The secrets an operation acts on, by that operation's rules: `get` takes `secret-name` or the
 * entries of `secrets` (names, versions, aliases, globs); `delete`, `recover` and `purge` take
 * exact names only; `set` one name.
 */
export function readEntries(options: { readonly noneIfFiles: boolean; readonly cloud?: Cloud }): SecretEntry[] {
  const name = readText(InputTable.SecretName)
  const list = readText(InputTable.Secrets)
  if (name && list) {
    throw new ActionError(
      `Inputs '${Inputs.SecretName}' and '${Inputs.Secrets}' were both given. Give one secret in '${Inputs.SecretName}' or several in '${Inputs.Secrets}'.`
    )
  }
  // `files` alone names the secrets it writes.
  if (!list && !name && options.noneIfFiles) return []
  if (!list) {
    const secretName = readOneName()
    return [{ text: secretName, name: secretName, isGlob: false }]
  }
  return parseSecretsInput(list, options.cloud)
}

/** Whole secrets only: a pattern can never delete, recover or purge more than meant. */
export function readExactNames(operation: string): SecretEntry[] {
  const targets = readEntries({ noneIfFiles: false })
  const notExact = targets.find(
    (entry) =>
      entry.isGlob ||
      entry.version !== undefined ||
      entry.alias !== undefined ||
      entry.vault !== undefined ||
      entry.field !== undefined
  )
  if (notExact) {
    throw new ActionError(
      `Input '${Inputs.Secrets}' has the entry ${quote(notExact.text)}; 'operation: ${operation}' takes exact secret names of the step's vault only (no globs, versions, aliases, fields or full identifiers).`
    )
  }
  return targets
}

/** `list`: `secrets` as a filter of the step's vault's names and globs; none lists every secret. */
export function readListFilter(cloud?: Cloud): SecretEntry[] {
  const raw = readText(InputTable.Secrets)
  if (!raw) return []
  const entries = parseSecretsInput(raw, cloud)
  const notAName = entries.find(
    (entry) =>
      entry.version !== undefined ||
      entry.alias !== undefined ||
      entry.prefix !== undefined ||
      entry.vault !== undefined ||
      entry.field !== undefined
  )
  if (notAName) {
    throw new ActionError(
      `Input '${Inputs.Secrets}' has the entry ${quote(notAName.text)}; 'operation: list' takes secret names and globs of the step's vault only (no versions, aliases, fields or full identifiers).`
    )
  }
  return entries
}

/** `secret-name`: required, and a valid name. */
export function readOneName(): string {
  const name = readText(InputTable.SecretName)
  if (!name) {
    throw new ActionError(
      `Input '${Inputs.SecretName}' is required (or '${Inputs.Secrets}' for several). Give the name of the secret, ${SecretNameRule}.`
    )
  }
  if (!isSecretName(name)) {
    throw new ActionError(
      `Input '${Inputs.SecretName}' has an invalid secret name ${quote(name)}. A secret name is ${SecretNameRule}.`
    )
  }
  return name
}

/** `env-file`: where the step's variables go, and in which format. */
export interface EnvFileInput {
  readonly target: FileTarget
  readonly format: EnvFileFormat
}

/**
 * `files` and `env-file`: every file the step writes, all checked together (new, ours, not through
 * a link, none twice) before sign-in.
 */
export function readFileTargets(cloud?: Cloud): { files: FileEntry[]; envFile: EnvFileInput | undefined } {
  const raw = readText(InputTable.Files)
  const files = raw ? parseFilesInput(raw, cloud) : []
  const envFile = readEnvFile()
  checkFileTargets([...files.map(fileTargetOf), ...(envFile ? [envFile.target] : [])])
  return { files, envFile }
}

function readEnvFile(): EnvFileInput | undefined {
  const path = readText(InputTable.EnvFile)
  const format = readChoice(InputTable.EnvFileFormat)
  if (!path) {
    if (format === InputTable.EnvFileFormat.default) return undefined
    throw new ActionError(
      `Input '${Inputs.EnvFileFormat}' is only used with '${Inputs.EnvFile}'. Give the file's path in '${Inputs.EnvFile}', or remove '${Inputs.EnvFileFormat}'.`
    )
  }
  // A path has no line breaks or control characters: two lines would be two files, and one file is written.
  if (/\p{Cc}/u.test(path)) {
    throw new ActionError(
      `Input '${Inputs.EnvFile}' has the path ${quote(path)}, with a line break or control character. Give the path of one file.`
    )
  }
  return { target: { input: Inputs.EnvFile, path }, format }
}
