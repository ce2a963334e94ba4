import * as core from '@actions/core'
import { Inputs } from './constants.js'
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
      for (const secret of outcome.secrets)
        core.info(`Read secret '${secret.name}' (version ${secret.version}) from vault '${vault.name}'.`)
      if (outcome.certificatesSkipped.length > 0) {
        const count = outcome.certificatesSkipped.length
        core.info(
          `Skipped ${count} certificate-backed secret${count === 1 ? '' : 's'} that a glob matched (${outcome.certificatesSkipped.map((name) => `'${name}'`).join(', ')}): ` +
            `a glob reads plain secrets only. Name one in '${Inputs.Secrets}' or '${Inputs.Files}' to read it (its value is the certificate with its private key).`
        )
      }
      return
    case 'set':
      if (outcome.restored)
        core.info(
          `Secret '${outcome.secretName}' was soft-deleted; ${outcome.restored} it first ('${Inputs.IfDeleted}: ${outcome.restored === 'recovered' ? 'recover' : 'purge'}').`
        )
      core.info(
        outcome.changed
          ? `Wrote secret '${outcome.secretName}' (version ${outcome.version}) to vault '${vault.name}'.`
          : `Secret '${outcome.secretName}' in vault '${vault.name}' already has this value (version ${outcome.version}); wrote nothing.`
      )
      return
    case 'delete':
      for (const secret of outcome.secrets)
        core.info(`${DeleteStates[secret.state]} secret '${secret.name}' in vault '${vault.name}'.`)
      return
    case 'recover':
      for (const secret of outcome.secrets) {
        core.info(
          `Recovered secret '${secret.name}' in vault '${vault.name}'${secret.readable ? ` (version ${secret.version})` : '; recovery still in progress'}.`
        )
      }
      return
    case 'purge':
      for (const secret of outcome.secrets) core.info(`Purged secret '${secret.name}' from vault '${vault.name}'.`)
      // The service frees the name some seconds after it accepted the purge, and never says when.
      if (outcome.secrets.length > 0) core.info(PurgeNotice)
  }
}

const PurgeNotice =
  `Key Vault accepts a purge before it has finished, and does not say when the name is free again: a new secret of the same name is refused for some seconds. ` +
  `A 'set' of this action waits that out (within '${Inputs.Timeout}'); other tools may need to retry.`

const DeleteStates = { deleting: 'Started deleting', deleted: 'Deleted', purged: 'Deleted and purged' } as const

type Cell = string | { data: string; header: true }
const header = (...titles: string[]): Cell[] => titles.map((data) => ({ data, header: true }))

// core.summary writes every cell and heading as HTML (<td>text</td>), unescaped. Within an HTML block
// on one line, markdown is not interpreted, so escaping HTML is enough to show text as text.
const SummaryEntities: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;'
}
const MAX_CELL = 200

/** Text for the summary, from the vault or the inputs, shown as text: HTML escaped, one line (a line break would end the HTML block), at most 200 characters. */
export function summaryText(text: string): string {
  const line = text.replace(/[\p{Cc}\p{Cf}]+/gu, ' ').trim()
  const short = line.length > MAX_CELL ? `${line.slice(0, MAX_CELL - 1)}…` : line
  return short.replace(/[&<>"']/g, (char) => SummaryEntities[char] ?? char)
}

/** Adds what the step did to the job summary: names, versions and destinations, never a value. */
export async function summarize(vault: Vault, outcome: Outcome, publication: Publication): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return
  const rows = rowsFor(outcome, publication).map((row) =>
    row.map((cell) => (typeof cell === 'string' ? summaryText(cell) : cell))
  )
  await core.summary
    .addHeading(`Azure Key Vault secrets: ${summaryText(vault.name)}`, 3)
    .addTable(rows)
    .write()
}

function rowsFor(outcome: Outcome, publication: Publication): Cell[][] {
  switch (outcome.operation) {
    case 'list':
      return [
        header('Secret', 'Enabled', 'Updated', 'Content type', 'Tags'),
        ...outcome.secrets.map((secret) => [
          secret.certificate ? `${secret.name} (certificate)` : secret.name,
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
        ...outcome.secrets.map((secret) => [
          secret.name,
          secret.version,
          (publication.destinations.get(secret.name) ?? []).join(', ')
        ]),
        ...outcome.files.map((file) => [
          file.entry.name,
          file.entry.version ?? 'latest',
          `file ${publication.filePaths[file.entry.text] ?? ''}`
        ]),
        ...outcome.missing.map((name) => [name, '', 'not found (skipped)']),
        ...outcome.certificatesSkipped.map((name) => [name, '', 'certificate-backed, not read by a glob'])
      ]
    case 'set': {
      const result = outcome.changed ? 'new version written' : 'unchanged, nothing written'
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
    case 'delete':
      return [
        header('Secret', 'Result', 'Deleted on', 'Purge scheduled'),
        ...outcome.secrets.map((secret) => [
          secret.name,
          DeleteStates[secret.state].toLowerCase(),
          secret.deletedOn,
          secret.scheduledPurgeDate
        ]),
        ...outcome.missing.map((name) => [name, 'not found (skipped)', '', ''])
      ]
    case 'recover':
      return [
        header('Secret', 'Version', 'Result'),
        ...outcome.secrets.map((secret) => [
          secret.name,
          secret.version,
          secret.readable ? 'recovered' : 'recovery started'
        ]),
        ...outcome.missing.map((name) => [name, '', 'no deleted secret (skipped)'])
      ]
    case 'purge':
      return [
        header('Secret', 'Result'),
        ...outcome.secrets.map((secret) => [secret.name, 'purged (the vault frees the name shortly after)']),
        ...outcome.missing.map((name) => [name, 'no deleted secret (skipped)'])
      ]
  }
}
