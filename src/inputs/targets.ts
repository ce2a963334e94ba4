import type { Cloud } from '../clouds.js'
import { ActionError, quote } from '../errors.js'
import { checkFileTargets, fileTargetOf } from '../files.js'
import { parseFilesInput, parseSecretsInput, type FileEntry, type SecretEntry } from './entries.js'
import { isSecretName, SecretNameRule } from './names.js'
import { readText } from './read.js'
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

/** `files`: its entries, with every target checked (new, ours, not through a link) before sign-in. */
export function readFiles(cloud?: Cloud): FileEntry[] {
  const raw = readText(InputTable.Files)
  if (!raw) return []
  const entries = parseFilesInput(raw, cloud)
  checkFileTargets(entries.map(fileTargetOf))
  return entries
}
