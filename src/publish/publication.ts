import { Outputs } from '../constants.js'
import { ActionError } from '../errors.js'
import { quote } from '../text.js'
import { Inputs } from '../inputs/table.js'
import type { FileSecret, SecretFile } from '../files.js'

/**
 * Everything a step hands to later steps, decided in full, by pure functions, before any of it is
 * written (apply.ts writes it): a failure while deciding leaves nothing half-done.
 */
export interface Publication {
  /** Registered with the runner first, before anything else is written. */
  readonly masks: readonly string[]
  readonly outputs: Readonly<Record<string, string>>
  readonly env: Readonly<Record<string, string>>
  /** Secrets to write to files (`get`); the paths become output `files`. */
  readonly files: readonly FileSecret[]
  /** `env-file`: every variable of the step in one file, written with `files`; its path becomes output `env-file`. */
  readonly envFile?: SecretFile
  readonly warnings: readonly string[]
  /** Per secret read: where its value went (`output db-password`, `env DB_PASSWORD`), for the summary. */
  readonly destinations: ReadonlyMap<string, readonly string[]>
}

/** A publication as it is built: null-prototype records, so an alias such as __proto__ is a name like any other. */
export interface PublicationDraft {
  readonly masks: string[]
  readonly outputs: Record<string, string>
  readonly env: Record<string, string>
  files: readonly FileSecret[]
  envFile?: SecretFile
  readonly warnings: string[]
  readonly destinations: Map<string, string[]>
}

export function draftPublication(): PublicationDraft {
  return {
    masks: [],
    outputs: Object.create(null) as Record<string, string>,
    env: Object.create(null) as Record<string, string>,
    files: [],
    warnings: [],
    destinations: new Map()
  }
}

/** A publication of outputs only (set, delete, recover, purge, list). */
export function outputsOnly(outputs: Record<string, string>, warnings: readonly string[] = []): Publication {
  const draft = draftPublication()
  Object.assign(draft.outputs, outputs)
  draft.warnings.push(...warnings)
  return draft
}

/** Output names are case-insensitive in expressions: 'Version' would overwrite 'version'. */
export const FixedOutputNames: ReadonlySet<string> = new Set<string>(Object.values(Outputs))

/** The warning for each name `ignore-missing` skipped. */
export function missingWarnings(
  missing: readonly string[],
  where: 'in the vault' | 'among the deleted secrets'
): string[] {
  return missing.map((name) => `Secret '${name}' was not found ${where}; skipped ('${Inputs.IgnoreMissing}: true').`)
}

/** What an output holds: a secret's value, or one JSON field of it. */
export interface Owner {
  readonly secret: string
  readonly path: readonly string[]
}

export const describeOwner = ({ secret, path }: Owner): string =>
  path.length > 0 ? `field ${quote(path.join('.'))} of secret '${secret}'` : `secret '${secret}'`

/** Every output has one owner: a second one (another secret, another version, another JSON field that maps to the same name) is an error. */
export function claim(owners: Map<string, Owner>, key: string, owner: Owner): void {
  const first = owners.get(key)
  if (first !== undefined) {
    const twoFields = first.secret === owner.secret && first.path.length > 0 && owner.path.length > 0
    const advice = twoFields
      ? `Rename one of the fields, or read the secret without '${Inputs.ParseJson}'.`
      : 'Give one of them an alias.'
    throw new ActionError(
      `Input '${Inputs.Secrets}': ${describeOwner(first)} and ${describeOwner(owner)} would both be the output '${key}'. ${advice}`
    )
  }
  owners.set(key, owner)
}
