import { envNameFor, refusalOf, refusalOfPrefix } from '../../envNames.js'
import { ActionError } from '../../errors.js'
import { quote } from '../../text.js'
import { vaultChosenNames, variablePrefixOf, type SecretEntry } from '../../inputs/entries.js'
import type { EnvFileInput } from '../../inputs/targets.js'
import { Inputs } from '../../inputs/table.js'

/** What a secret's names are made of: a named entry before any request, a secret read after. */
export interface Named {
  readonly name: string
  readonly alias?: string
  readonly prefix?: string
  readonly field?: readonly string[]
}

/**
 * The names a read secret goes out under, as `parse-json` names leaves: its alias, or its name
 * (after its glob's prefix alias, if any) and the keys of the field it selects
 * (`db-config_conn_host`, `DB_CONFIG_CONN_HOST`). A leaf is named under its secret's variable name,
 * so it stays under the name or prefix the workflow wrote.
 */
export function namesOf(secret: Named, leafPath: readonly string[] = []) {
  const keys = secret.alias ? leafPath : [...(secret.field ?? []), ...leafPath]
  const prefix = secret.prefix ?? ''
  return {
    output: [secret.alias ?? `${prefix}${secret.name}`, ...keys.map((key) => key.replace(/[^A-Za-z0-9_-]/g, '_'))].join(
      '_'
    ),
    env: [
      secret.alias ?? `${prefix}${envNameFor(secret.name)}`,
      ...keys.map((key) => key.toUpperCase().replace(/[^A-Z0-9_]/g, '_'))
    ].join('_')
  }
}

/**
 * The variable a secret (or one leaf of it) would be exported as, and why that name is refused,
 * if it is: a named secret's is checked before any request, a name the vault's contents chose
 * (a glob's match, a JSON key) after the read.
 */
export function variableOf(
  secret: Named,
  leafPath: readonly string[] = []
): { readonly name: string; readonly refusal: string | undefined } {
  const name = namesOf(secret, leafPath).env
  return { name, refusal: refusalOf(name) }
}

/** The input that asked for variables: errors about their names start with it. */
export const variablesInput = (exportEnv: boolean): string => (exportEnv ? Inputs.ExportEnv : Inputs.EnvFile)

/**
 * Two named entries that would be one output (the same secret name in two vaults, two versions, two
 * fields under one alias) are an error before any request; the same entry twice is read once.
 */
export function checkOutputClashes(targets: readonly SecretEntry[]): void {
  const seen = new Map<string, SecretEntry>()
  const sameSecret = (a: SecretEntry, b: SecretEntry): boolean =>
    (a.vault?.url ?? '') === (b.vault?.url ?? '') &&
    a.name.toLowerCase() === b.name.toLowerCase() &&
    (a.version ?? '') === (b.version ?? '') &&
    (a.field ?? []).join('.') === (b.field ?? []).join('.')
  for (const target of targets.filter((entry) => !entry.isGlob)) {
    const name = namesOf(target).output.toLowerCase()
    const first = seen.get(name)
    if (first && !sameSecret(first, target))
      throw new ActionError(
        `Input '${Inputs.Secrets}': the entries ${quote(first.text)} and ${quote(target.text)} would both be the output '${namesOf(target).output}'. Give one of them an alias (ALIAS=...).`
      )
    seen.set(name, target)
  }
}

/**
 * `export-env` and `env-file`. A variable goes out only under a name or a prefix the workflow
 * wrote: a glob without a prefix would let whoever may write to the vault name a variable of every
 * later step (JAVA_OPTS, LD_PRELOAD, and names no list has yet), so it is refused now, with
 * GITHUB_ENV and the dotenv env file alike (the json env file is read by no process by itself).
 * The variable names of named secrets are checked now too, so a refused one fails before any request.
 */
export function checkVariableNames(
  targets: readonly SecretEntry[],
  exportEnv: boolean,
  envFile: EnvFileInput | undefined
): void {
  if (!exportEnv && !envFile) return
  if (exportEnv || envFile?.format === 'dotenv') {
    const unprefixed = targets.find((entry) => entry.isGlob && variablePrefixOf(entry) === undefined)
    if (unprefixed)
      throw vaultChosenNames(
        unprefixed,
        exportEnv ? `environment variables ('${Inputs.ExportEnv}')` : `the variables of the dotenv '${Inputs.EnvFile}'`
      )
  }
  for (const glob of targets.filter((entry) => entry.prefix !== undefined)) {
    const refusal = refusalOfPrefix(glob.prefix ?? '')
    if (refusal)
      throw new ActionError(
        `Input '${variablesInput(exportEnv)}': the entry ${quote(glob.text)} would export every match under ${glob.prefix}, which is refused: ${refusal}. Choose another prefix.`
      )
  }
  for (const target of targets.filter((entry) => !entry.isGlob)) {
    const { name, refusal } = variableOf(target)
    if (refusal) {
      throw new ActionError(
        `Input '${variablesInput(exportEnv)}': secret ${quote(target.text)} would be exported as ${name}, which is refused: ${refusal}. Give it an alias (ALIAS=name in '${Inputs.Secrets}') or read it from the step output.`
      )
    }
  }
}
