import * as core from '@actions/core'
import { Outputs } from './constants.js'
import { maskValue } from './masking.js'
import type { Outcome } from './vault/operations.js'

const FixedOutputNames = new Set<string>(Object.values(Outputs))

/** The step outputs for an outcome. The `get` value also goes out under the secret's own name. */
export function outputsFor(outcome: Outcome): Record<string, string> {
  switch (outcome.operation) {
    case 'get': {
      const outputs: Record<string, string> = {
        [Outputs.Value]: outcome.value,
        [Outputs.Version]: outcome.version,
        [Outputs.Id]: outcome.id
      }
      // Output names are matched case-insensitively in expressions, so a secret called 'Version'
      // would overwrite the version output; such a secret is read from 'value' instead.
      if (!FixedOutputNames.has(outcome.secretName.toLowerCase())) outputs[outcome.secretName] = outcome.value
      return outputs
    }
    case 'list':
      return { [Outputs.Names]: JSON.stringify(outcome.secrets.map((secret) => secret.name)), [Outputs.Count]: String(outcome.secrets.length) }
    case 'set':
      return { [Outputs.Version]: outcome.version, [Outputs.Id]: outcome.id }
    case 'delete':
      return {
        [Outputs.RecoveryId]: outcome.recoveryId,
        [Outputs.DeletedOn]: outcome.deletedOn,
        [Outputs.ScheduledPurgeDate]: outcome.scheduledPurgeDate
      }
  }
}

/** Masks what was read, then hands the outputs (and, if asked, the variable) to later steps. */
export function publish(outcome: Outcome, envName?: string): void {
  if (outcome.operation === 'get') maskValue(outcome.value)
  const outputs = outputsFor(outcome)
  if (outcome.operation === 'get' && FixedOutputNames.has(outcome.secretName.toLowerCase())) {
    core.warning(`Secret '${outcome.secretName}' has the name of a fixed output; read its value from the output 'value'.`)
  }
  for (const [name, value] of Object.entries(outputs)) core.setOutput(name, value)
  if (envName && outcome.operation === 'get') core.exportVariable(envName, outcome.value)
}
