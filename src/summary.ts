import * as core from '@actions/core'
import type { Vault } from './inputs.js'
import type { Outcome } from './vault/operations.js'

/** One log line that says what was done, by name and version, never by value. */
export function logOutcome(vault: Vault, outcome: Outcome): void {
  switch (outcome.operation) {
    case 'list':
      core.info(`Listed ${outcome.secrets.length} secrets in vault '${vault.name}'.`)
      return
    case 'get':
      core.info(`Read secret '${outcome.secretName}' (version ${outcome.version}) from vault '${vault.name}'.`)
      return
    case 'set':
      core.info(`Wrote secret '${outcome.secretName}' (version ${outcome.version}) to vault '${vault.name}'.`)
      return
    case 'delete':
      core.info(`Deleted secret '${outcome.secretName}' from vault '${vault.name}'.`)
  }
}

/** Adds what the step did to the job summary: names, versions and properties, never a value. */
export async function summarize(vault: Vault, outcome: Outcome): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return
  const header = (...titles: string[]): { data: string; header: true }[] => titles.map((data) => ({ data, header: true }))
  const rows =
    outcome.operation === 'list'
      ? [
          header('Secret', 'Enabled', 'Updated', 'Content type', 'Tags'),
          ...outcome.secrets.map((secret) => [
            secret.name,
            secret.enabled ? 'yes' : 'no',
            secret.updatedOn,
            secret.contentType,
            Object.entries(secret.tags)
              .map(([key, value]) => `${key}=${value}`)
              .join(', ')
          ])
        ]
      : [
          header('Operation', 'Secret', 'Version'),
          [outcome.operation, outcome.secretName, outcome.operation === 'delete' ? '' : outcome.version]
        ]
  await core.summary.addHeading(`Azure Key Vault secrets: ${vault.name}`, 3).addTable(rows).write()
}
