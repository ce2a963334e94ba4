import type { SecretClient } from '@azure/keyvault-secrets'
import { Outputs } from '../constants.js'
import { readBoolean } from '../inputs/read.js'
import { InputTable } from '../inputs/table.js'
import { missingWarnings, outputsOnly } from '../publish/publication.js'
import { attempt, POLL_INTERVAL_MS, required } from '../vault/attempt.js'
import { header, type CommonInputs, type OperationModule } from './module.js'
import { loneTarget, noDeletedSecret, recoverInstead } from './advice.js'
import { forEachTarget, readExactTargets, type ExactTargets } from './shared.js'

export interface RecoverInputs extends ExactTargets {
  /** Wait until each secret can be read again. */
  readonly wait: boolean
}

export interface RecoveredSecret {
  readonly name: string
  /** False when the step did not wait for the recovery to finish (`wait: false`). */
  readonly readable: boolean
  readonly version: string
  readonly id: string
}

export interface RecoverOutcome {
  readonly operation: 'recover'
  readonly secrets: readonly RecoveredSecret[]
  readonly missing: readonly string[]
}

/** `recover`: brings soft-deleted secrets back with all their versions; by default waits until each reads. */
export const recover: OperationModule<RecoverInputs, RecoverOutcome> = {
  permission: {
    policy: 'recover',
    role: 'Key Vault Secrets Officer',
    dataAction: 'Microsoft.KeyVault/vaults/secrets/recover/action'
  },
  advice: { notFound: noDeletedSecret('recover'), purgeProtected: recoverInstead, loneSecret: loneTarget },
  readInputs: () => ({ own: { ...readExactTargets('recover'), wait: readBoolean(InputTable.Wait) } }),
  run: (client, inputs) => recoverSecrets(client, inputs),
  decide: (outcome) => {
    const [only] = outcome.secrets
    const outputs: Record<string, string> =
      outcome.secrets.length === 1 && only ? { [Outputs.Version]: only.version, [Outputs.Id]: only.id } : {}
    return outputsOnly(outputs, missingWarnings(outcome.missing, 'among the deleted secrets'))
  },
  log: (vault, outcome) =>
    outcome.secrets.map(
      (secret) =>
        `Recovered secret '${secret.name}' in vault '${vault.name}'${secret.readable ? ` (version ${secret.version})` : '; recovery still in progress'}.`
    ),
  summary: (outcome) => [
    header('Secret', 'Version', 'Result'),
    ...outcome.secrets.map((secret) => [
      secret.name,
      secret.version,
      secret.readable ? 'recovered' : 'recovery started'
    ]),
    ...outcome.missing.map((name) => [name, '', 'no deleted secret (skipped)'])
  ]
}

async function recoverSecrets(client: SecretClient, inputs: RecoverInputs & CommonInputs): Promise<RecoverOutcome> {
  const result = await forEachTarget(inputs, async (name, missing): Promise<RecoveredSecret | undefined> => {
    const poller = await attempt(
      name,
      'recover',
      () => client.beginRecoverDeletedSecret(name, { intervalInMs: POLL_INTERVAL_MS }),
      missing
    )
    if (!poller) return undefined
    const properties = inputs.wait ? await required(name, 'recover', () => poller.pollUntilDone()) : poller.getResult()
    return { name, readable: inputs.wait, version: properties?.version ?? '', id: properties?.id ?? '' }
  })
  return { operation: 'recover', ...result }
}
