import * as core from '@actions/core'
import type { KeyVaultSecret, SecretClient, SecretProperties } from '@azure/keyvault-secrets'
import { quote } from '../errors.js'
import { isSecretName } from '../names.js'
import { UntrustedAnswer } from './answers.js'
import { mapWithConcurrency } from '../concurrency.js'
import type { ActionInputs } from '../inputs.js'
import { globMatcher, type FileEntry, type SecretEntry } from '../selection.js'
import { attempt } from './attempt.js'

/** What `list` reports of a secret: its properties, never its value. */
export interface SecretListing {
  readonly name: string
  readonly enabled: boolean
  readonly updatedOn: string
  readonly contentType: string
  readonly tags: Readonly<Record<string, string>>
  /** Backs a Key Vault certificate (its value is the certificate and key); `managed` in the service's terms. */
  readonly certificate: boolean
}

/** A secret `get` read; its value is masked by the caller before any use. */
export interface ReadSecret {
  readonly name: string
  readonly alias?: string
  /** Found by a glob rather than named: a refused variable name is skipped, not an error. */
  readonly fromGlob: boolean
  readonly value: string
  readonly version: string
  readonly id: string
}

/** A secret read for a `files` entry; written to disk by the caller after every read succeeded. */
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
}

export interface ListOutcome {
  readonly operation: 'list'
  readonly secrets: readonly SecretListing[]
}

/** Reads every secret and file entry; nothing is exported until all of them have arrived. */
export async function getSecrets(client: SecretClient, inputs: ActionInputs): Promise<GetOutcome> {
  const { targets, certificatesSkipped } = await resolveTargets(client, inputs.targets)
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
  return {
    operation: 'get',
    secrets: results.filter((result): result is ReadSecret => result !== undefined && 'name' in result),
    files: results.filter((result): result is FileSecret => result !== undefined && 'entry' in result),
    missing,
    certificatesSkipped
  }
}

/** A read answered 200 without a value is no read: it must not pass as an empty secret. */
function withValue(secret: KeyVaultSecret): KeyVaultSecret & { readonly value: string } {
  if (typeof secret.value !== 'string') throw new UntrustedAnswer('no-value', 'a read answered without a value')
  return secret as KeyVaultSecret & { readonly value: string }
}

/** Names as the vault listed them, minus any that no Key Vault secret can have (a vault's answers are not trusted). */
async function* listedSecrets(client: SecretClient): AsyncGenerator<SecretProperties> {
  for await (const properties of client.listPropertiesOfSecrets()) {
    if (isSecretName(properties.name)) yield properties
    else
      core.warning(
        `The vault listed a secret named ${quote(properties.name)}, which is not a valid secret name; it was skipped.`
      )
  }
}

/** Lists properties only (every page): no secret value is read. */
export async function listSecrets(client: SecretClient): Promise<ListOutcome> {
  const secrets: SecretListing[] = []
  for await (const properties of listedSecrets(client)) {
    secrets.push({
      name: properties.name,
      enabled: properties.enabled ?? true,
      updatedOn: properties.updatedOn?.toISOString() ?? '',
      contentType: properties.contentType ?? '',
      tags: properties.tags ?? {},
      certificate: properties.managed === true
    })
  }
  return { operation: 'list', secrets }
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
): Promise<{ targets: Target[]; certificatesSkipped: string[] }> {
  const globs = entries.filter((entry) => entry.isGlob)
  const enabledNames: string[] = []
  const certificateNames: string[] = []
  if (globs.length > 0) {
    for await (const properties of listedSecrets(client)) {
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
  return { targets: [...targets.values()], certificatesSkipped }
}
