import type { Operation } from '../constants.js'
import { OperationModules, type ActionInputs, type InputsOf } from './index.js'
import type { CommonInputs, ReadContext } from './module.js'
import { checkEveryValue, checkUsedBy, readBoolean, readChoice, readNumber, readRaw } from '../inputs/read.js'
import { readSignInSettings } from '../inputs/signIn.js'
import { InputSpecs, InputTable } from '../inputs/table.js'
import { NoVault, readCloud, readVault } from '../inputs/vault.js'

/**
 * The values of the secret inputs (the table's `secret` ones, their environment fallbacks and the
 * secret fields of a JSON input), to be masked before anything else is read or printed.
 */
export function secretInputs(env: NodeJS.ProcessEnv): string[] {
  const values: string[] = []
  for (const spec of InputSpecs.filter((input) => input.secret)) {
    const raw = readRaw(spec)
    values.push(raw)
    if (spec.envFallback) values.push(env[spec.envFallback] ?? '')
    for (const field of spec.secretJsonFields ?? []) values.push(jsonField(raw, field))
  }
  return values.filter((value) => value !== '')
}

function jsonField(raw: string, field: string): string {
  try {
    const parsed = JSON.parse(raw) as unknown
    const value = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>)[field] : undefined
    return typeof value === 'string' ? value.trim() : ''
  } catch {
    return ''
  }
}

/** `min-mask-length`, read first: it decides how everything else is masked. */
export const readMinMaskLength = (): number => readNumber(InputTable.MinMaskLength)

/**
 * Reads and validates every input before any request is made: the common ones, then the
 * operation's own (by its module's rules). Values reading brings into being (a generated value, a
 * file's content) come back to be masked at once.
 */
export function readInputs(env: NodeJS.ProcessEnv = process.env): {
  inputs: ActionInputs
  newSecrets: readonly string[]
} {
  const operation = readChoice(InputTable.Operation)
  const cloud = readCloud()
  const given = readVault(cloud)
  // Only `get` can name every secret by its full identifier instead.
  if (!given && !OperationModules[operation].vaultOptional) throw NoVault()
  checkEveryValue()
  checkUsedBy(operation)
  return readFor(
    operation,
    { env, cloud, vault: given },
    {
      cloud,
      signIn: readSignInSettings(cloud, env),
      concurrency: readNumber(InputTable.Concurrency),
      summary: readBoolean(InputTable.Summary),
      timeout: readNumber(InputTable.Timeout),
      minMaskLength: readMinMaskLength()
    }
  )
}

function readFor<K extends Operation>(
  operation: K,
  context: ReadContext,
  common: Omit<CommonInputs, 'vault'>
): { inputs: ActionInputs; newSecrets: readonly string[] } {
  const { own, newSecrets = [], vault = context.vault } = OperationModules[operation].readInputs(context)
  if (!vault) throw NoVault()
  // The module read its own inputs for this operation: together they are this operation's inputs.
  const commonWithVault: CommonInputs = { ...common, vault }
  const inputs: InputsOf<K> = Object.assign({ operation }, commonWithVault, own)
  return { inputs: inputs as ActionInputs, newSecrets }
}
