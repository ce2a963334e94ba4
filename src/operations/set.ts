import type { KeyVaultSecret, SecretClient } from '@azure/keyvault-secrets'
import { Outputs } from '../constants.js'
import { SecretFailure } from '../vault/secretFailure.js'
import { readSetRequest, type SetRequest } from '../inputs/set.js'
import { readOneName } from '../inputs/targets.js'
import { Inputs } from '../inputs/table.js'
import { masksFor } from '../masking.js'
import { draftPublication } from '../publish/publication.js'
import { attempt, required } from '../vault/attempt.js'
import { isCondition } from '../vault/serviceErrors.js'
import { throughTransition, type TransitionClock } from '../vault/transitions.js'
import { header, type CommonInputs, type GitHubOutcome, type OperationModule } from './module.js'
import { secretNotFound } from './advice.js'
import { readGitHubSync, type GitHubSync } from '../inputs/github.js'
import { githubLog, githubOutputs } from './github.js'
import { withProvenance } from '../github/provenance.js'
import { recoverAndWait } from './shared.js'

export interface SetInputs {
  /** The secret written: `secret-name`. */
  readonly secretName: string
  /** The value and the properties of the new version. */
  readonly set: SetRequest
  /** `github-secrets`: the value goes on to GitHub once Key Vault has it. */
  readonly github?: GitHubSync
}

export interface SetOutcome {
  readonly operation: 'set'
  readonly secretName: string
  readonly version: string
  readonly id: string
  /** False when `skip-unchanged` found the value already stored. */
  readonly changed: boolean
  /** What `if-deleted` did first, when the name belonged to a soft-deleted secret. */
  readonly restored?: 'recovered' | 'purged'
  readonly expiresOn: string
  /** Set only for a generated value, which later steps need; masked since it was made. */
  readonly generatedValue?: string
  /** The stored value `skip-unchanged` read to compare with: masked like any value read. */
  readonly masks: readonly string[]
  readonly github?: GitHubOutcome
}

/** `set`: writes a new version (or nothing, with `skip-unchanged`), restoring a soft-deleted name first when asked. */
export const set: OperationModule<SetInputs, SetOutcome> = {
  permission: {
    policy: 'set',
    role: 'Key Vault Secrets Officer',
    dataAction: 'Microsoft.KeyVault/vaults/secrets/setSecret/action'
  },
  advice: {
    notFound: secretNotFound,
    purgeProtected: `Use '${Inputs.IfDeleted}: recover' to reuse the name, or choose another name.`,
    loneSecret: (inputs) => inputs.secretName,
    // GitHub's key is read before Key Vault is written: a refusal there comes before either is.
    nothingWrittenTo: 'Key Vault or GitHub'
  },
  readInputs: ({ env }) => {
    const secretName = readOneName()
    const { request, newSecrets } = readSetRequest(new Date(), env)
    const github = readGitHubSync({ operation: 'set', secretName }, env)
    return { own: { secretName, set: request, github }, newSecrets }
  },
  run: async (client, inputs, { clock, written }) => {
    const set = inputs.set.provenance ? { ...inputs.set, tags: await withProvenance(inputs.set.tags) } : inputs.set
    // Key Vault first: it is the source of truth, and GitHub gets only a value Key Vault holds.
    const outcome = await setSecret(client, { ...inputs, set }, clock)
    if (outcome.changed) written.keyVaultVersion(outcome.secretName, outcome.version, inputs.vault.name)
    return outcome
  },
  gitHub: {
    sources: (_outcome, inputs) => ({ sources: [{ name: inputs.secretName, value: inputs.set.value }] }),
    record: (outcome, github) => ({ ...outcome, github }),
    copied: (outcome) => ({ secretName: outcome.secretName, version: outcome.version })
  },
  decide: (outcome) => {
    const publication = draftPublication()
    publication.masks.push(...outcome.masks)
    Object.assign(publication.outputs, {
      [Outputs.Version]: outcome.version,
      [Outputs.Id]: outcome.id,
      [Outputs.Changed]: String(outcome.changed)
    })
    Object.assign(publication.outputs, githubOutputs(outcome.github))
    if (outcome.generatedValue !== undefined) publication.outputs[Outputs.Value] = outcome.generatedValue
    return publication
  },
  log: (vault, outcome) => [
    ...(outcome.restored
      ? [
          `Secret '${outcome.secretName}' was soft-deleted; ${outcome.restored} it first ('${Inputs.IfDeleted}: ${outcome.restored === 'recovered' ? 'recover' : 'purge'}').`
        ]
      : []),
    outcome.changed
      ? `Wrote secret '${outcome.secretName}' (version ${outcome.version}) to vault '${vault.name}'.`
      : `Secret '${outcome.secretName}' in vault '${vault.name}' already has this value (version ${outcome.version}); wrote nothing${outcome.github ? ' to Key Vault, and wrote GitHub all the same (its copy may be stale)' : ''}.`,
    ...githubLog(outcome.github)
  ],
  summary: (outcome) => {
    const written = outcome.changed ? 'new version written' : 'unchanged, nothing written'
    const github =
      outcome.github?.written.map((item) => `GitHub secret ${item.githubName} (${outcome.github?.where})`) ?? []
    const result = [written, ...github].join('; ')
    return [
      header('Secret', 'Version', 'Result', 'Expires'),
      [
        outcome.secretName,
        outcome.version,
        outcome.restored ? `${outcome.restored}, then ${result}` : result,
        outcome.expiresOn || 'never'
      ]
    ]
  }
}

/**
 * Writes a new version, unless `skip-unchanged` finds the value already current. A soft-deleted
 * name (409) is recovered or purged first when `if-deleted` says so. A write the vault refuses
 * because it is still finishing a purge, recover or delete of the name ("retry later") is retried
 * within the run's `timeout`: after this step's own purge or recover that is expected.
 */
async function setSecret(
  client: SecretClient,
  inputs: SetInputs & CommonInputs,
  clock: TransitionClock
): Promise<SetOutcome> {
  const { secretName: name, set: request } = inputs
  const failure = (error: unknown): SecretFailure =>
    error instanceof SecretFailure ? error : new SecretFailure(name, error, 'set')
  try {
    return await write(client, inputs, clock)
  } catch (error) {
    if (request.ifDeleted === 'fail' || !isCondition(error, 'deletedButRecoverable')) throw failure(error)
  }
  const cause = request.ifDeleted
  if (cause === 'recover') await recoverAndWait(client, name)
  else await required(name, 'purge', () => client.purgeDeletedSecret(name))
  return write(client, inputs, clock, cause).catch((error: unknown) => {
    throw failure(error)
  })
}

/** What `if-deleted` did first, as the outcome reports it. */
const Restored = { recover: 'recovered', purge: 'purged' } as const

async function write(
  client: SecretClient,
  inputs: SetInputs & CommonInputs,
  clock: TransitionClock,
  restoredBy?: 'recover' | 'purge'
): Promise<SetOutcome> {
  const { secretName: name, set: request } = inputs
  const masks: string[] = []
  const outcome = (secret: KeyVaultSecret, changed: boolean): SetOutcome => ({
    operation: 'set',
    secretName: name,
    version: secret.properties.version ?? '',
    id: secret.properties.id ?? '',
    changed,
    restored: restoredBy && Restored[restoredBy],
    expiresOn: secret.properties.expiresOn?.toISOString() ?? '',
    generatedValue: request.generated ? request.value : undefined,
    masks
  })
  if (request.skipUnchanged) {
    const current = await currentSecret(client, name)
    // The stored value may be the one being replaced: it must not reach a log either.
    if (current?.value) masks.push(...masksFor(current.value, inputs.minMaskLength))
    if (
      current &&
      current.value === request.value &&
      (current.properties.contentType ?? '') === (request.contentType ?? '')
    ) {
      return outcome(current, false)
    }
  }
  const put = (): Promise<KeyVaultSecret> =>
    client.setSecret(name, request.value, {
      contentType: request.contentType,
      tags: request.tags ? { ...request.tags } : undefined,
      expiresOn: request.expiresOn,
      notBefore: request.notBefore,
      enabled: request.enabled
    })
  return outcome(await throughTransition(name, put, ['beingDeleted', 'beingRecovered'], clock, restoredBy), true)
}

/** The current version, to compare with; none when the secret does not exist or is disabled. */
async function currentSecret(client: SecretClient, name: string): Promise<KeyVaultSecret | undefined> {
  return attempt(
    name,
    'get',
    async () => {
      try {
        return await client.getSecret(name)
      } catch (error) {
        // A disabled or expired current version cannot be read: a new version replaces it.
        if (isCondition(error, 'secretDisabled', 'secretExpired')) return undefined
        throw error
      }
    },
    { allowed: true, names: [] }
  )
}
