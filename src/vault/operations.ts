import type { SecretClient } from '@azure/keyvault-secrets'
import type { ActionInputs } from '../inputs.js'

/** What `list` reports of a secret: its properties, never its value. */
export interface SecretListing {
  readonly name: string
  readonly enabled: boolean
  readonly updatedOn: string
  readonly contentType: string
  readonly tags: Readonly<Record<string, string>>
}

export type Outcome =
  | { readonly operation: 'list'; readonly secrets: readonly SecretListing[] }
  | { readonly operation: 'get'; readonly secretName: string; readonly value: string; readonly version: string; readonly id: string }
  | { readonly operation: 'set'; readonly secretName: string; readonly version: string; readonly id: string }
  | {
      readonly operation: 'delete'
      readonly secretName: string
      readonly recoveryId: string
      readonly deletedOn: string
      readonly scheduledPurgeDate: string
    }

// The service usually finishes a delete within a few seconds; polling each second keeps the step short.
const DELETE_POLL_INTERVAL_MS = 1000

/** Carries out the operation. The value returned by `get` is masked by the caller before any use. */
export async function performOperation(client: SecretClient, inputs: ActionInputs): Promise<Outcome> {
  const { secretName } = inputs
  switch (inputs.operation) {
    case 'get': {
      const secret = await client.getSecret(secretName)
      return {
        operation: 'get',
        secretName,
        value: secret.value ?? '',
        version: secret.properties.version ?? '',
        id: secret.properties.id ?? ''
      }
    }
    case 'set': {
      const secret = await client.setSecret(secretName, inputs.secretValue ?? '')
      return { operation: 'set', secretName, version: secret.properties.version ?? '', id: secret.properties.id ?? '' }
    }
    case 'list': {
      // Lists properties only (every page): no secret value is read.
      const secrets: SecretListing[] = []
      for await (const properties of client.listPropertiesOfSecrets()) {
        secrets.push({
          name: properties.name,
          enabled: properties.enabled ?? true,
          updatedOn: properties.updatedOn?.toISOString() ?? '',
          contentType: properties.contentType ?? '',
          tags: properties.tags ?? {}
        })
      }
      return { operation: 'list', secrets }
    }
    case 'delete': {
      const poller = await client.beginDeleteSecret(secretName, { intervalInMs: DELETE_POLL_INTERVAL_MS })
      const deleted = await poller.pollUntilDone()
      return {
        operation: 'delete',
        secretName,
        recoveryId: deleted.recoveryId ?? '',
        deletedOn: deleted.deletedOn?.toISOString() ?? '',
        scheduledPurgeDate: deleted.scheduledPurgeDate?.toISOString() ?? ''
      }
    }
  }
}
