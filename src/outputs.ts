import * as core from '@actions/core'
import { Inputs, Outputs } from './constants.js'
import { envNameFor, refusalOf } from './envNames.js'
import { ActionError } from './errors.js'
import { writeSecretFiles } from './files.js'
import { maskValue } from './masking.js'
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
export function publicationFor(outcome: Outcome, exportEnv = false, parseJson = false): Publication {
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
      const outputOwners = new Map<string, string>()
      for (const secret of outcome.secrets) {
        const leaves = (parseJson && jsonLeaves(secret.value)) || [{ path: [], value: secret.value }]
        for (const leaf of leaves) {
          if (leaf.path.length > 0) masks.push(leaf.value)
          const outputName = [secret.alias ?? secret.name, ...leaf.path.map((key) => key.replace(/[^A-Za-z0-9_-]/g, '_'))].join('_')
          // Output names match case-insensitively in expressions: 'Version' would overwrite 'version'.
          if (FixedOutputNames.has(outputName.toLowerCase())) {
            if (secret.alias) throw new ActionError(`Input '${Inputs.Secrets}': the alias '${secret.alias}' is the name of a fixed output. Choose another alias.`)
            warnings.push(`Secret '${secret.name}' has the name of a fixed output; read its value from the output 'value', or give it an alias.`)
          } else {
            claim(outputOwners, outputName.toLowerCase(), secret.name, 'output')
            outputs[outputName] = leaf.value
            sendTo(secret.name, `output ${outputName}`)
          }
          if (!exportEnv) continue
          const envName = [secret.alias ?? envNameFor(secret.name), ...leaf.path.map((key) => key.toUpperCase().replace(/[^A-Z0-9_]/g, '_'))].join('_')
          const refusal = refusalOf(envName)
          if (refusal) {
            // Named secrets were checked before any request; only a glob or a JSON key can bring such a name here.
            warnings.push(`Secret '${secret.name}' was not exported as ${envName}: ${refusal}. Read it from its step output.`)
            continue
          }
          if (envName in env) throw new ActionError(`Input '${Inputs.ExportEnv}': two secrets would be exported as ${envName}. Give one of them an alias.`)
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
      Object.assign(outputs, { [Outputs.Version]: outcome.version, [Outputs.Id]: outcome.id, [Outputs.Changed]: String(outcome.changed) })
      if (outcome.generatedValue !== undefined) outputs[Outputs.Value] = outcome.generatedValue
      break
    case 'recover': {
      const [only] = outcome.secrets
      if (outcome.secrets.length === 1 && only) Object.assign(outputs, { [Outputs.Version]: only.version, [Outputs.Id]: only.id })
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
    const where = outcome.operation === 'recover' || outcome.operation === 'purge' ? 'among the deleted secrets' : 'in the vault'
    for (const name of outcome.missing) warnings.push(`Secret '${name}' was not found ${where}; skipped ('${Inputs.IgnoreMissing}: true').`)
  }
  return { outputs, env, warnings, destinations, masks, filePaths: {} }
}

function claim(owners: Map<string, string>, key: string, secretName: string, what: string): void {
  const owner = owners.get(key)
  if (owner !== undefined && owner !== secretName) {
    throw new ActionError(`Input '${Inputs.Secrets}': secrets '${owner}' and '${secretName}' would both be the ${what} '${key}'. Give one of them an alias.`)
  }
  owners.set(key, secretName)
}

/** Masks every value read, then hands outputs and variables to later steps, all or nothing. */
export function publish(outcome: Outcome, exportEnv = false, parseJson = false): Publication {
  if (outcome.operation === 'get') {
    for (const secret of [...outcome.secrets, ...outcome.files]) maskValue(secret.value)
  }
  const publication = publicationFor(outcome, exportEnv, parseJson)
  for (const leaf of publication.masks) maskValue(leaf)
  if (outcome.operation === 'get' && outcome.files.length > 0) {
    Object.assign(publication.filePaths, writeSecretFiles(outcome.files))
    publication.outputs[Outputs.Files] = JSON.stringify(publication.filePaths)
  }
  for (const warning of publication.warnings) core.warning(warning)
  for (const [name, value] of Object.entries(publication.outputs)) core.setOutput(name, value)
  for (const [name, value] of Object.entries(publication.env)) core.exportVariable(name, value)
  return publication
}
