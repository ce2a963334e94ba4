import type { KeyVaultSecret, SecretClient } from '@azure/keyvault-secrets'
import { mapWithConcurrency } from '../concurrency.js'
import { Outputs } from '../constants.js'
import { envNameFor, isAlreadySet, refusalOf } from '../envNames.js'
import { ActionError, quote } from '../errors.js'
import { globMatcher, type FileEntry, type SecretEntry } from '../inputs/entries.js'
import { readBoolean } from '../inputs/read.js'
import { readEntries, readFiles } from '../inputs/targets.js'
import { InputTable, Inputs } from '../inputs/table.js'
import { isShortForMasking, leafMasks, masksFor } from '../masking.js'
import {
  claim,
  draftPublication,
  FixedOutputNames,
  missingWarnings,
  type Owner,
  type Publication
} from '../publish/publication.js'
import { UntrustedAnswer } from '../vault/answers.js'
import { attempt } from '../vault/attempt.js'
import { readGitHubSync, type GitHubSync } from '../inputs/github.js'
import { githubLog, githubOutputs, syncToGitHub, type GitHubOutcome } from './github.js'
import { header, type CommonInputs, type OperationModule, type RunContext } from './module.js'
import { invalidNameWarnings, listedSecrets } from './shared.js'

export interface GetInputs {
  /** `secret-name`, or the entries of `secrets`; none when `files` alone names what to read. */
  readonly targets: readonly SecretEntry[]
  /** Secrets to write to files. */
  readonly files: readonly FileEntry[]
  /** Also export each value as an environment variable. */
  readonly exportEnv: boolean
  /** A JSON object value goes out as one entry per leaf. */
  readonly parseJson: boolean
  /** A missing secret is a warning, not a failure. */
  readonly ignoreMissing: boolean
  /** `github-secrets`: values to write on to GitHub. */
  readonly github?: GitHubSync
}

/** A secret `get` read; its value is masked before any use. */
export interface ReadSecret {
  readonly name: string
  readonly alias?: string
  /** Found by a glob rather than named: a refused variable name is skipped, not an error. */
  readonly fromGlob: boolean
  readonly value: string
  readonly version: string
  readonly id: string
}

/** A secret read for a `files` entry; written to disk after every read succeeded. */
export interface FileSecret {
  readonly entry: FileEntry
  readonly value: string
  readonly contentType: string
}

export interface GetOutcome {
  readonly operation: 'get'
  readonly secrets: readonly ReadSecret[]
  readonly files: readonly FileSecret[]
  readonly missing: readonly string[]
  /** Certificate-backed secrets a glob matched and did not read. */
  readonly certificatesSkipped: readonly string[]
  /** Names the vault listed that no secret can have: skipped. */
  readonly invalidNames: readonly string[]
  readonly github?: GitHubOutcome
}

/** `get`: reads secrets (and `files`); hands them to later steps as outputs, variables and files. */
export const get: OperationModule<GetInputs, GetOutcome> = {
  permission: {
    policy: 'get',
    role: 'Key Vault Secrets User',
    dataAction: 'Microsoft.KeyVault/vaults/secrets/getSecret/action'
  },
  readInputs: (env) => {
    const files = readFiles()
    const targets = readEntries({ noneIfFiles: files.length > 0 })
    return {
      own: {
        targets,
        files,
        exportEnv: readExportEnv(targets),
        parseJson: readBoolean(InputTable.ParseJson),
        ignoreMissing: readBoolean(InputTable.IgnoreMissing),
        github: readGitHubSync({ operation: 'get', targets }, env)
      }
    }
  },
  run: getSecrets,
  decide: (outcome, inputs, environment) => getPublication(outcome, inputs, environment),
  log: (vault, outcome) => {
    const lines = outcome.secrets.map(
      (secret) => `Read secret '${secret.name}' (version ${secret.version}) from vault '${vault.name}'.`
    )
    const count = outcome.certificatesSkipped.length
    if (count > 0) {
      lines.push(
        `Skipped ${count} certificate-backed secret${count === 1 ? '' : 's'} that a glob matched (${outcome.certificatesSkipped.map((name) => `'${name}'`).join(', ')}): ` +
          `a glob reads plain secrets only. Name one in '${Inputs.Secrets}' or '${Inputs.Files}' to read it (its value is the certificate with its private key).`
      )
    }
    return [...lines, ...githubLog(outcome.github)]
  },
  summary: (outcome, publication, applied) => [
    header('Secret', 'Version', 'Went to'),
    ...outcome.secrets.map((secret) => [
      secret.name,
      secret.version,
      (publication.destinations.get(secret.name) ?? []).join(', ')
    ]),
    ...outcome.files.map((file) => [
      file.entry.name,
      file.entry.version ?? 'latest',
      `file ${applied.filePaths[file.entry.text] ?? ''}`
    ]),
    ...outcome.missing.map((name) => [name, '', 'not found (skipped)']),
    ...outcome.certificatesSkipped.map((name) => [name, '', 'certificate-backed, not read by a glob'])
  ]
}

/** Variable names of named secrets are checked now, so a refused one fails before any request. */
function readExportEnv(targets: readonly SecretEntry[]): boolean {
  if (!readBoolean(InputTable.ExportEnv)) return false
  for (const target of targets.filter((entry) => !entry.isGlob)) {
    const name = target.alias ?? envNameFor(target.name)
    const refusal = refusalOf(name)
    if (refusal) {
      throw new ActionError(
        `Input '${Inputs.ExportEnv}': secret ${quote(target.text)} would be exported as ${name}, which is refused: ${refusal}. Give it an alias (ALIAS=name in '${Inputs.Secrets}') or read it from the step output.`
      )
    }
  }
  return true
}

/** Reads every secret and file entry; nothing is exported until all of them have arrived. */
async function getSecrets(
  client: SecretClient,
  inputs: GetInputs & CommonInputs,
  context: RunContext
): Promise<GetOutcome> {
  const { targets, certificatesSkipped, invalidNames } = await resolveTargets(client, inputs.targets)
  const missing: string[] = []
  const read = (name: string, version: string | undefined, allowMissing: boolean) =>
    attempt(name, 'get', () => client.getSecret(name, { version }).then(withValue), {
      allowed: allowMissing,
      names: missing
    })
  // One pool for secrets and files, so `concurrency` bounds every request in flight.
  const tasks = [...targets.map((target) => ({ target })), ...inputs.files.map((file) => ({ file }))]
  const results = await mapWithConcurrency(
    tasks,
    inputs.concurrency,
    async (task): Promise<ReadSecret | FileSecret | undefined> => {
      if ('file' in task) {
        const { file } = task
        const secret = await read(file.name, file.version, inputs.ignoreMissing)
        return secret && { entry: file, value: secret.value, contentType: secret.properties.contentType ?? '' }
      }
      const { target } = task
      const secret = await read(target.name, target.version, inputs.ignoreMissing && !target.fromGlob)
      return (
        secret && {
          name: target.name,
          alias: target.alias,
          fromGlob: target.fromGlob,
          value: secret.value,
          version: secret.properties.version ?? '',
          id: secret.properties.id ?? ''
        }
      )
    }
  )
  const secrets = results.filter((result): result is ReadSecret => result !== undefined && 'name' in result)
  return {
    operation: 'get',
    secrets,
    files: results.filter((result): result is FileSecret => result !== undefined && 'entry' in result),
    missing,
    certificatesSkipped,
    invalidNames,
    // Only once every read has succeeded: a failed read writes nothing to GitHub either.
    github: await syncToGitHub(inputs.github, context.github, secrets, missing)
  }
}

/** A read answered 200 without a value is no read: it must not pass as an empty secret. */
function withValue(secret: KeyVaultSecret): KeyVaultSecret & { readonly value: string } {
  if (typeof secret.value !== 'string') throw new UntrustedAnswer('no-value', 'a read answered without a value')
  return secret as KeyVaultSecret & { readonly value: string }
}

interface Target {
  readonly name: string
  readonly alias?: string
  readonly version?: string
  readonly fromGlob: boolean
}

/**
 * Expands globs over the names of every enabled secret (one listing, all pages); named entries pass
 * as they are. A glob skips the secrets that back Key Vault certificates (`managed`): their values
 * are certificates with private keys, which `*` should not hand to every later step unasked; named
 * in an entry, one is read like any secret.
 */
async function resolveTargets(
  client: SecretClient,
  entries: readonly SecretEntry[]
): Promise<{ targets: Target[]; certificatesSkipped: string[]; invalidNames: string[] }> {
  const globs = entries.filter((entry) => entry.isGlob)
  const enabledNames: string[] = []
  const certificateNames: string[] = []
  let invalidNames: string[] = []
  if (globs.length > 0) {
    const listing = await listedSecrets(client)
    invalidNames = listing.invalidNames
    for (const properties of listing.listed) {
      if (properties.enabled === false) continue
      if (properties.managed === true) certificateNames.push(properties.name)
      else enabledNames.push(properties.name)
    }
    enabledNames.sort()
  }
  const targets = new Map<string, Target>()
  for (const entry of entries) {
    const found: Target[] = entry.isGlob
      ? enabledNames.filter(globMatcher(entry.name)).map((name) => ({ name, fromGlob: true }))
      : [{ name: entry.name, alias: entry.alias, version: entry.version, fromGlob: false }]
    // The same secret reached twice (two globs, or a glob and its name) is read once; a named entry wins.
    for (const target of found) {
      const key = `${(target.alias ?? target.name).toLowerCase()}/${target.version ?? ''}`
      if (!targets.has(key) || !target.fromGlob) targets.set(key, target)
    }
  }
  const named = new Set(entries.filter((entry) => !entry.isGlob).map((entry) => entry.name.toLowerCase()))
  const certificatesSkipped = certificateNames
    .filter((name) => !named.has(name.toLowerCase()) && globs.some((glob) => globMatcher(glob.name)(name)))
    .sort()
  return { targets: [...targets.values()], certificatesSkipped, invalidNames }
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
export function getPublication(
  outcome: GetOutcome,
  options: Pick<GetInputs & CommonInputs, 'exportEnv' | 'parseJson' | 'minMaskLength'>,
  environment: NodeJS.ProcessEnv
): Publication {
  const { exportEnv, parseJson, minMaskLength } = options
  const draft = draftPublication()
  const { outputs, env, warnings, masks, destinations } = draft
  const sendTo = (secretName: string, destination: string): void => {
    destinations.set(secretName, [...(destinations.get(secretName) ?? []), destination])
  }
  // Every value read, and each string field of a JSON one, before anything else is written.
  for (const secret of [...outcome.secrets, ...outcome.files])
    masks.push(...masksFor(secret.value, minMaskLength, { jsonLeaves: true }))
  draft.files = outcome.files
  warnings.push(...invalidNameWarnings(outcome.invalidNames))
  const [only] = outcome.secrets
  if (outcome.secrets.length === 1 && only) {
    Object.assign(outputs, { [Outputs.Value]: only.value, [Outputs.Version]: only.version, [Outputs.Id]: only.id })
    sendTo(only.name, `output ${Outputs.Value}`)
  }
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
  const outputOwners = new Map<string, Owner>()
  for (const secret of outcome.secrets) {
    const leaves = (parseJson && jsonLeaves(secret.value)) || [{ path: [], value: secret.value }]
    for (const leaf of leaves) {
      // A leaf shorter than min-mask-length is not masked on its own (a region 'eu' would mask every 'eu' in the log).
      if (leaf.path.length > 0) masks.push(...leafMasks(leaf.value, minMaskLength))
      const outputName = [
        secret.alias ?? secret.name,
        ...leaf.path.map((key) => key.replace(/[^A-Za-z0-9_-]/g, '_'))
      ].join('_')
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
  Object.assign(outputs, githubOutputs(outcome.github))
  for (const item of outcome.github?.written ?? []) sendTo(item.source, `GitHub secret ${item.githubName}`)
  warnings.push(...missingWarnings(outcome.missing, 'in the vault'))
  return draft
}
