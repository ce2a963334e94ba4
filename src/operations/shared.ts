import type { SecretClient, SecretProperties } from '@azure/keyvault-secrets'
import { mapWithConcurrency } from '../concurrency.js'
import type { Operation } from '../constants.js'
import { plural, quote } from '../text.js'
import type { SecretEntry } from '../inputs/entries.js'
import { isSecretName } from '../inputs/names.js'
import { readBoolean } from '../inputs/read.js'
import { readExactNames } from '../inputs/targets.js'
import { InputTable } from '../inputs/table.js'
import { POLL_INTERVAL_MS, required, type MissingSecrets } from '../vault/attempt.js'

/** The inputs of an operation on exact names (`delete`, `recover`, `purge`), and whether a missing one is a warning. */
export interface ExactTargets {
  readonly targets: readonly SecretEntry[]
  /** A missing secret is a warning, not a failure. */
  readonly ignoreMissing: boolean
}

export function readExactTargets(operation: Operation): ExactTargets {
  return { targets: readExactNames(operation), ignoreMissing: readBoolean(InputTable.IgnoreMissing) }
}

/** Runs `act` for every target name, `concurrency` at a time, noting missing ones when allowed. */
export async function forEachTarget<T>(
  inputs: ExactTargets & { readonly concurrency: number },
  act: (name: string, missing: MissingSecrets) => Promise<T | undefined>
): Promise<{ secrets: T[]; missing: string[] }> {
  const missing: MissingSecrets = { allowed: inputs.ignoreMissing, names: [] }
  const done = await mapWithConcurrency(inputs.targets, inputs.concurrency, ({ name }) => act(name, missing))
  return { secrets: done.filter((result): result is T => result !== undefined), missing: missing.names }
}

/** Recovers a soft-deleted secret and waits until it can be read. */
export async function recoverAndWait(client: SecretClient, name: string): Promise<void> {
  await required(name, 'recover', async () => {
    const poller = await client.beginRecoverDeletedSecret(name, { intervalInMs: POLL_INTERVAL_MS })
    return poller.pollUntilDone()
  })
}

/** Every page of the vault's listing, minus names no Key Vault secret can have (a vault's answers are not trusted). */
export async function listedSecrets(
  client: SecretClient
): Promise<{ listed: SecretProperties[]; invalidNames: string[] }> {
  const listed: SecretProperties[] = []
  const invalidNames: string[] = []
  for await (const properties of client.listPropertiesOfSecrets()) {
    if (isSecretName(properties.name)) listed.push(properties)
    else invalidNames.push(properties.name)
  }
  return { listed, invalidNames }
}

/** The warning for names the vault listed that no secret can have. */
export const invalidNameWarnings = (names: readonly string[]): string[] =>
  names.map(
    (name) => `The vault listed a secret named ${quote(name)}, which is not a valid secret name; it was skipped.`
  )

/** What `match-tags` did: how many secrets the globs (or the whole listing) matched, and how many of them carried the tags. */
export interface TagNarrowing {
  readonly matched: number
  readonly kept: number
}

/**
 * The log line of `match-tags`, so the step says what the filter kept (counts only: tags are the
 * vault's data). `matched` completes "the secrets ..." (`the globs matched`).
 */
export function narrowingLog(narrowing: TagNarrowing | undefined, matched: string): string[] {
  if (!narrowing) return []
  if (narrowing.matched === 0) return [`'match-tags' had no secret to narrow: ${matched} none.`]
  const others = narrowing.kept < narrowing.matched ? '; the others lack a tag it names, or have another value' : ''
  return [`'match-tags' kept ${narrowing.kept} of the ${plural(narrowing.matched, 'secret')} ${matched}${others}.`]
}
