import type { KeyVaultSecret, SecretClient } from '@azure/keyvault-secrets'
import { mapWithConcurrency } from '../../concurrency.js'
import { SecretFailure } from '../../vault/secretFailure.js'
import { decideExpiry, type Dated } from '../../expiry.js'
import type { FileSecret } from '../../files.js'
import type { Vault } from '../../inputs/vault.js'
import { UntrustedAnswer, validDate } from '../../vault/answers.js'
import { attempt } from '../../vault/attempt.js'
import { isCondition } from '../../vault/serviceErrors.js'
import type { CommonInputs, RunContext } from '../module.js'
import { resolveTargets } from './globs.js'
import { readFile, readTarget } from './selection.js'
import type { GetInputs, GetOutcome, Read, ReadSecret } from './types.js'

/**
 * Reads every secret and file entry; nothing is exported until all of them have arrived. The
 * step's vault is read with `client`; a vault a full identifier names, with its own client.
 */
export async function getSecrets(
  client: SecretClient,
  inputs: GetInputs & CommonInputs,
  context: RunContext
): Promise<GetOutcome> {
  const clientOf = (vault: Vault): SecretClient => (vault.url === inputs.vault.url ? client : context.clientFor(vault))
  const { targets, certificatesSkipped, invalidNames, narrowing } = await resolveTargets(
    clientOf,
    inputs.targets,
    inputs.vault,
    inputs.matchTags
  )
  const missing: string[] = []
  const read = reader(clientOf, missing)
  // One pool for secrets and files, so `concurrency` bounds every request in flight.
  const tasks = [...targets.map((target) => ({ target })), ...inputs.files.map((file) => ({ file }))]
  const results = await mapWithConcurrency(
    tasks,
    inputs.concurrency,
    async (task): Promise<ReadSecret | FileSecret | undefined> =>
      'file' in task
        ? readFile(read, task.file, inputs)
        : readTarget(read, task.target, inputs.ignoreMissing && !task.target.fromGlob)
  )
  const secrets = results.filter((result): result is ReadSecret => result !== undefined && 'name' in result)
  const files = results.filter((result): result is FileSecret => result !== undefined && 'entry' in result)
  // Before GitHub and before anything is exported: with `fail-on-expired`, an expired secret fails the step here.
  const expiry = decideExpiry(
    [...secrets, ...files.map((file) => ({ ...file, name: file.entry.name }))].map(datedOf),
    inputs.expiry,
    context.now()
  )
  return { operation: 'get', secrets, files, missing, certificatesSkipped, invalidNames, narrowing, expiry }
}

/**
 * Reads one secret version; an expired one's failure says when it expired, when that can be found.
 * A conversion (`outContentType`) of a version is asked for once, however many entries select parts of it.
 */
function reader(clientOf: (vault: Vault) => SecretClient, missing: string[]): Read {
  const conversions = new Map<string, ReturnType<Read>>()
  const read: Read = (vault, name, version, allowMissing, outContentType) =>
    attempt(
      name,
      'get',
      () =>
        clientOf(vault)
          .getSecret(name, { version, ...(outContentType !== undefined && { outContentType }) })
          .then(withValue),
      { allowed: allowMissing, names: missing },
      vault
    ).catch(async (error: unknown) => {
      throw await withExpiryDate(clientOf(vault), error, version)
    })
  return (vault, name, version, allowMissing, outContentType) => {
    if (outContentType === undefined || version === undefined)
      return read(vault, name, version, allowMissing, outContentType)
    const key = [vault.url, name.toLowerCase(), version.toLowerCase(), outContentType].join('|')
    const known = conversions.get(key) ?? read(vault, name, version, allowMissing, outContentType)
    conversions.set(key, known)
    return known
  }
}

/**
 * A secret read, for the expiry checks: its name, its vault's name, its expiry, or its
 * certificate's end of validity when a part was selected and that comes first.
 */
export function datedOf(secret: {
  readonly name: string
  readonly vault: Vault
  readonly expiresOn?: Date
  readonly certificate?: { readonly notAfter: Date }
}): Dated {
  const notAfter = secret.certificate?.notAfter
  const certificateFirst = notAfter !== undefined && (!secret.expiresOn || notAfter < secret.expiresOn)
  return {
    name: secret.name,
    vault: secret.vault.name,
    expiresOn: certificateFirst ? notAfter : secret.expiresOn,
    ...(certificateFirst && { certificate: true })
  }
}

/**
 * A read the vault refused because the secret has expired (403 SecretExpired) says when it
 * expired, if the identity may list the secret's versions (that takes the `list` permission, which
 * `get` does not need). The service sends no date with the refusal.
 */
async function withExpiryDate(client: SecretClient, error: unknown, version: string | undefined): Promise<unknown> {
  if (!(error instanceof SecretFailure) || !isCondition(error.cause, 'secretExpired')) return error
  const expiredOn = await expiryOfVersion(client, error.secretName, version).catch(() => undefined)
  return new SecretFailure(error.secretName, error.cause, error.operation, error.vault, expiredOn)
}

// A secret rotated daily for years has a few thousand versions; past this many, the date is not worth the requests.
const MAX_VERSIONS_LOOKED_AT = 1000

/** When the version expires: the one asked for, or the current one (the newest created). */
async function expiryOfVersion(
  client: SecretClient,
  name: string,
  version: string | undefined
): Promise<Date | undefined> {
  let chosen: { created: number; expiresOn?: Date } | undefined
  let seen = 0
  for await (const properties of client.listPropertiesOfSecretVersions(name)) {
    if (++seen > MAX_VERSIONS_LOOKED_AT) return undefined
    const expiresOn = validDate(properties.expiresOn)
    if (version !== undefined) {
      if (properties.version?.toLowerCase() === version.toLowerCase()) return expiresOn
      continue
    }
    const created = validDate(properties.createdOn)?.getTime() ?? -Infinity
    if (!chosen || created > chosen.created) chosen = { created, expiresOn }
  }
  return chosen?.expiresOn
}

/** A read answered 200 without a value is no read: it must not pass as an empty secret. */
function withValue(secret: KeyVaultSecret): KeyVaultSecret & { readonly value: string } {
  if (typeof secret.value !== 'string') throw new UntrustedAnswer('no-value', 'a read answered without a value')
  return secret as KeyVaultSecret & { readonly value: string }
}
