import * as core from '@actions/core'
import type { Vault } from './inputs.js'
import type { Publication } from './outputs.js'
import type { Outcome } from './vault/operations.js'

/** One log line that says what was done, by name and version, never by value. */
export function logOutcome(vault: Vault, outcome: Outcome): void {
  switch (outcome.operation) {
    case 'list':
      core.info(`Listed ${outcome.secrets.length} secrets in vault '${vault.name}'.`)
      return
    case 'get':
      for (const secret of outcome.secrets) core.info(`Read secret '${secret.name}' (version ${secret.version}) from vault '${vault.name}'.`)
      return
    case 'set':
      core.info(`Wrote secret '${outcome.secretName}' (version ${outcome.version}) to vault '${vault.name}'.`)
      return
    case 'delete':
      for (const secret of outcome.secrets) core.info(`Deleted secret '${secret.name}' from vault '${vault.name}'.`)
  }
}

type Cell = string | { data: string; header: true }
const header = (...titles: string[]): Cell[] => titles.map((data) => ({ data, header: true }))

/** Adds what the step did to the job summary: names, versions and destinations, never a value. */
export async function summarize(vault: Vault, outcome: Outcome, publication: Publication): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return
  await core.summary
    .addHeading(`Azure Key Vault secrets: ${vault.name}`, 3)
    .addTable(rowsFor(outcome, publication))
    .write()
}

function rowsFor(outcome: Outcome, publication: Publication): Cell[][] {
  switch (outcome.operation) {
    case 'list':
      return [
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
    case 'get':
      return [
        header('Secret', 'Version', 'Went to'),
        ...outcome.secrets.map((secret) => [secret.name, secret.version, (publication.destinations.get(secret.name) ?? []).join(', ')]),
        ...outcome.files.map((file) => [file.entry.name, file.entry.version ?? 'latest', `file ${publication.filePaths[file.entry.text] ?? ''}`]),
        ...outcome.missing.map((name) => [name, '', 'not found (skipped)'])
      ]
    case 'set':
      return [header('Secret', 'Version', 'Operation'), [outcome.secretName, outcome.version, 'set']]
    case 'delete':
      return [
        header('Secret', 'Deleted on', 'Purge scheduled'),
        ...outcome.secrets.map((secret) => [secret.name, secret.deletedOn, secret.scheduledPurgeDate]),
        ...outcome.missing.map((name) => [name, 'not found (skipped)', ''])
      ]
  }
}
