import * as core from '@actions/core'
import { Inputs, Outputs } from './constants.js'
import { envNameFor, isAlreadySet, refusalOf } from './envNames.js'
import { ActionError, quote } from './errors.js'
import { writeSecretFiles } from './files.js'
import { isShortForMasking, leafMasks, masksFor, MinMaskLength } from './masking.js'
import type { Outcome } from './vault/operations.js'

const FixedOutputNames = new Set<string>(Object.values(Outputs))

/** Everything the step hands to later steps, decided in full before any of it is written. */
export interface Publication {
  readonly outputs: Record<string, string>
  readonly env: Record<string, string>
  readonly warnings: string[]
  /** Per secret read: where its value went (`output db-password`, `env DB_PASSWORD`), for the summary. */
  readonly destinations: Map<string, string[]>
  /** `files` entry -> absolute path, once written. */
  readonly filePaths: Record<string, string>
  /** JSON leaf values, each masked on its own: the runner does not mask a field of a masked value. */
  readonly masks: string[]
}

export interface PublishOptions {
  /** `export-env`. */
  readonly exportEnv: boolean
  /** `parse-json`. */
  readonly parseJson: boolean
  /** `min-mask-length`. */
  readonly minMaskLength: number
  /** The step's environment: a variable name the vault's contents chose never replaces one set here. */
  readonly environment: NodeJS.ProcessEnv
}

const NoOptions: PublishOptions = {
  exportEnv: false,
  parseJson: false,
  minMaskLength: MinMaskLength.fallback,
  environment: {}
}

interface Leaf {
  readonly path: string[]
  readonly value: string
}

/** The leaves of a JSON object value, or undefined when the value is not a JSON object or has no leaf ({}). */
function jsonLeaves(value: string): Leaf[] | undefined {
  let parsed: unknown
  try {
    parsed = JSON.parse(value)
  } catch {
    return undefined
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined
  const leaves: Leaf[] = []
  const walk = (node: unknown, path: string[]): void => {
    if (typeof node === 'object' && node !== null && !Array.isArray(node)) {
      for (const [key, child] of Object.entries(node)) walk(child, [...path, key])
    } else {
      leaves.push({ path, value: typeof node === 'string' ? node : node === null ? '' : JSON.stringify(node) })
    }
  }
  walk(parsed, [])
  // An object without leaves would publish nothing at all: it passes through unchanged instead.
  return leaves.length > 0 ? leaves : undefined
}

/**
 * Decides outputs and variables. A secret goes out under its alias or its name; `value`, `version`
 * and `id` only when exactly one secret was read. Two secrets under one name are an error.
 */
export function publicationFor(outcome: Outcome, options: Partial<PublishOptions> = {}): Publication {
  const { exportEnv, parseJson, minMaskLength, environment } = { ...NoOptions, ...options }
  // Without a prototype, an alias such as __proto__ is a name like any other, not a setter that drops the value.
  const outputs = Object.create(null) as Record<string, string>
  const env = Object.create(null) as Record<string, string>
  const warnings: string[] = []
  const destinations = new Map<string, string[]>()
  const masks: string[] = []
  const sendTo = (secretName: string, destination: string): void => {
    destinations.set(secretName, [...(destinations.get(secretName) ?? []), destination])
  }
  switch (outcome.operation) {
    case 'get': {
      const [only] = outcome.secrets
      if (outcome.secrets.length === 1 && only) {
        Object.assign(outputs, { [Outputs.Value]: only.value, [Outputs.Version]: only.version, [Outputs.Id]: only.id })
        sendTo(only.name, `output ${Outputs.Value}`)
      }
      const outputOwners = new Map<string, Owner>()
      for (const secret of [
        ...outcome.secrets,
        ...outcome.files.map((file) => ({ name: file.entry.name, value: file.value }))
      ]) {
        if (isShortForMasking(secret.value, minMaskLength)) {
          warnings.push(
            `Secret '${secret.name}' is ${secret.value.length} character${secret.value.length === 1 ? '' : 's'} long, less than '${Inputs.MinMaskLength}' (${minMaskLength}): ` +
              `it is masked, but a mask this short also hides the same characters wherever else they appear in the log.`
          )
        }
      }
      for (const secret of outcome.secrets) {
        const leaves = (parseJson && jsonLeaves(secret.value)) || [{ path: [], value: secret.value }]
        for (const leaf of leaves) {
          // A leaf shorter than min-mask-length is not masked on its own (a region 'eu' would mask every 'eu' in the log).
          if (leaf.path.length > 0) masks.push(...leafMasks(leaf.value, minMaskLength))
          const outputName = [
            secret.alias ?? secret.name,
            ...leaf.path.map((key) => key.replace(/[^A-Za-z0-9_-]/g, '_'))
          ].join('_')
          // Output names match case-insensitively in expressions: 'Version' would overwrite 'version'.
          if (FixedOutputNames.has(outputName.toLowerCase())) {
            if (secret.alias)
              throw new ActionError(
                `Input '${Inputs.Secrets}': the alias '${secret.alias}' is the name of a fixed output. Choose another alias.`
              )
            warnings.push(
              `Secret '${secret.name}' has the name of a fixed output; read its value from the output 'value', or give it an alias.`
            )
          } else {
            claim(outputOwners, outputName.toLowerCase(), { secret: secret.name, path: leaf.path })
            outputs[outputName] = leaf.value
            sendTo(secret.name, `output ${outputName}`)
          }
          if (!exportEnv) continue
          const envName = [
            secret.alias ?? envNameFor(secret.name),
            ...leaf.path.map((key) => key.toUpperCase().replace(/[^A-Z0-9_]/g, '_'))
          ].join('_')
          const refusal = refusalOf(envName)
          if (refusal) {
            // Named secrets were checked before any request; only a glob or a JSON key can bring such a name here.
            warnings.push(
              `Secret '${secret.name}' was not exported as ${envName}: ${refusal}. Read it from its step output.`
            )
            continue
          }
          // No list of dangerous names is complete: a name the vault's contents chose never replaces a variable already set.
          if ((secret.fromGlob || leaf.path.length > 0) && isAlreadySet(envName, environment)) {
            warnings.push(
              `Secret '${secret.name}' was not exported as ${envName}: the step's environment already has ${envName}, and a name chosen by the vault's contents ` +
                `(a glob match or a JSON key) never replaces a variable. Read it from its step output, or name the secret in '${Inputs.Secrets}' with an alias.`
            )
            continue
          }
          if (envName in env)
            throw new ActionError(
              `Input '${Inputs.ExportEnv}': two secrets would be exported as ${envName}. Give one of them an alias.`
            )
          env[envName] = leaf.value
          sendTo(secret.name, `env ${envName}`)
        }
      }
      break
    }
    case 'list':
      outputs[Outputs.Names] = JSON.stringify(outcome.secrets.map((secret) => secret.name))
      outputs[Outputs.Count] = String(outcome.secrets.length)
      break
    case 'set':
      Object.assign(outputs, {
        [Outputs.Version]: outcome.version,
        [Outputs.Id]: outcome.id,
        [Outputs.Changed]: String(outcome.changed)
      })
      if (outcome.generatedValue !== undefined) outputs[Outputs.Value] = outcome.generatedValue
      break
    case 'recover': {
      const [only] = outcome.secrets
      if (outcome.secrets.length === 1 && only)
        Object.assign(outputs, { [Outputs.Version]: only.version, [Outputs.Id]: only.id })
      break
    }
    case 'purge':
      break
    case 'delete': {
      const [only] = outcome.secrets
      if (outcome.secrets.length === 1 && only) {
        Object.assign(outputs, {
          [Outputs.RecoveryId]: only.recoveryId,
          [Outputs.DeletedOn]: only.deletedOn,
          [Outputs.ScheduledPurgeDate]: only.scheduledPurgeDate
        })
      }
      break
    }
  }
  if ('missing' in outcome) {
    const where =
      outcome.operation === 'recover' || outcome.operation === 'purge' ? 'among the deleted secrets' : 'in the vault'
    for (const name of outcome.missing)
      warnings.push(`Secret '${name}' was not found ${where}; skipped ('${Inputs.IgnoreMissing}: true').`)
  }
  return { outputs, env, warnings, destinations, masks, filePaths: {} }
}

/** What an output holds: a secret's value, or one JSON field of it. */
interface Owner {
  readonly secret: string
  readonly path: readonly string[]
}

const describeOwner = ({ secret, path }: Owner): string =>
  path.length > 0 ? `field ${quote(path.join('.'))} of secret '${secret}'` : `secret '${secret}'`

/** Every output has one owner: a second one (another secret, another version, another JSON field that maps to the same name) is an error. */
function claim(owners: Map<string, Owner>, key: string, owner: Owner): void {
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

/** Masks every value read, then hands outputs and variables to later steps, all or nothing. */
export function publish(outcome: Outcome, options: PublishOptions): Publication {
  if (outcome.operation === 'get') {
    for (const secret of [...outcome.secrets, ...outcome.files]) {
      for (const mask of masksFor(secret.value, options.minMaskLength, { jsonLeaves: true })) core.setSecret(mask)
    }
  }
  const publication = publicationFor(outcome, options)
  for (const mask of publication.masks) core.setSecret(mask)
  if (outcome.operation === 'get' && outcome.files.length > 0) {
    Object.assign(publication.filePaths, writeSecretFiles(outcome.files))
    publication.outputs[Outputs.Files] = JSON.stringify(publication.filePaths)
  }
  for (const warning of publication.warnings) core.warning(warning)
  for (const [name, value] of Object.entries(publication.outputs)) core.setOutput(name, value)
  for (const [name, value] of Object.entries(publication.env)) core.exportVariable(name, value)
  return publication
}
