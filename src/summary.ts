import * as core from '@actions/core'
import type { Vault } from './inputs.js'
import type { Outcome } from './vault/operations.js'

const Verbs = { get: 'Read', set: 'Wrote', delete: 'Deleted' } as const

/** One log line that says what was done, by name and version, never by value. */
export function logOutcome(vault: Vault, outcome: Outcome): void {
  const version = outcome.operation === 'delete' ? '' : ` (version ${outcome.version})`
  const where = outcome.operation === 'set' ? 'to' : 'from'
  core.info(`${Verbs[outcome.operation]} secret '${outcome.secretName}'${version} ${where} vault '${vault.name}'.`)
}

/** Adds what the step did to the job summary: names and versions, never a value. */
export async function summarize(vault: Vault, outcome: Outcome): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return
  const version = outcome.operation === 'delete' ? '' : outcome.version
  await core.summary
    .addHeading('Azure Key Vault secrets', 3)
    .addTable([
      [
        { data: 'Operation', header: true },
        { data: 'Vault', header: true },
        { data: 'Secret', header: true },
        { data: 'Version', header: true }
      ],
      [Verbs[outcome.operation], vault.name, outcome.secretName, version]
    ])
    .write()
}
