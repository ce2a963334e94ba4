import { quote } from '../../text.js'
import { expiresCell } from '../../expiry.js'
import { readExpiryRules } from '../../inputs/expiry.js'
import { readGitHubSync } from '../../inputs/github.js'
import { readBoolean } from '../../inputs/read.js'
import { readMatchTags } from '../../inputs/tags.js'
import { InputTable, Inputs } from '../../inputs/table.js'
import { readEntries, readFileTargets } from '../../inputs/targets.js'
import { NoVault, type Vault } from '../../inputs/vault.js'
import type { Applied } from '../../publish/apply.js'
import type { Publication } from '../../publish/publication.js'
import { githubLog } from '../github.js'
import { header, type OperationModule, type ReadContext, type Row } from '../module.js'
import { narrowingLog } from '../shared.js'
import { checkOutputClashes, checkVariableNames, namesOf } from './naming.js'
import { destinationKey, getPublication, labelOf } from './publication.js'
import { datedOf, getSecrets } from './reading.js'
import type { GetInputs, GetOutcome } from './types.js'
import { getAdvice } from './advice.js'
import { certificateCell, refuseBinaryParts } from './certificates.js'
import type { CertificateInfo } from '../../certificates/info.js'

export type { GetInputs, GetOutcome, ReadSecret } from './types.js'

/** `get`: reads secrets (and `files`); hands them to later steps as outputs, variables and files. */
export const get: OperationModule<GetInputs, GetOutcome> = {
  permission: {
    policy: 'get',
    role: 'Key Vault Secrets User',
    dataAction: 'Microsoft.KeyVault/vaults/secrets/getSecret/action'
  },
  advice: getAdvice,
  readInputs: readGetInputs,
  vaultOptional: true,
  run: getSecrets,
  // Once every read has succeeded and what later steps get is decided: a failure writes nothing to GitHub.
  gitHub: {
    sources: (outcome, inputs) => ({
      sources: outcome.secrets.map((secret) => ({ ...secret, exportName: namesOf(secret).env })),
      missing: outcome.missing,
      ...(inputs.matchTags && {
        whyNotRead: `A glob reads only the secrets that carry the tags of '${Inputs.MatchTags}'. `
      })
    }),
    record: (outcome, github) => ({ ...outcome, github })
  },
  decide: (outcome, inputs, environment) => getPublication(outcome, inputs, environment),
  log: (_vault, outcome) => getLog(outcome),
  summary: (outcome, publication, applied) => getSummary(outcome, publication, applied)
}

/** `get`'s own inputs; every name it would export is checked here, before any request. */
function readGetInputs({ env, cloud, vault: given }: ReadContext): { own: GetInputs; vault?: Vault } {
  const { files, envFile } = readFileTargets(cloud)
  const targets = readEntries({ noneIfFiles: files.length > 0, cloud })
  // A plain name means the step's vault; full identifiers name their own.
  const entries = [...targets, ...files]
  if (!given && entries.some((entry) => !entry.vault)) throw NoVault({ identifiers: true })
  checkOutputClashes(targets)
  refuseBinaryParts(targets)
  const exportEnv = readBoolean(InputTable.ExportEnv)
  checkVariableNames(targets, exportEnv, envFile)
  return {
    own: {
      targets,
      matchTags: readMatchTags(
        targets.some((entry) => entry.isGlob),
        'get'
      ),
      files,
      envFile,
      exportEnv,
      parseJson: readBoolean(InputTable.ParseJson),
      ignoreMissing: readBoolean(InputTable.IgnoreMissing),
      github: readGitHubSync({ operation: 'get', targets }, env),
      expiry: readExpiryRules()
    },
    vault: given ?? entries.find((entry) => entry.vault)?.vault
  }
}

/** What was read, by name and version, and the certificates a glob skipped. */
function getLog(outcome: GetOutcome): string[] {
  const lines = outcome.secrets.map(
    (secret) =>
      `Read ${secret.field ? `${SelectionWords[secret.selection ?? 'field']} ${quote(secret.field.join('.'))} of ` : ''}secret '${secret.name}' (version ${secret.version}) from vault '${secret.vault.name}'.`
  )
  lines.push(...narrowingLog(outcome.narrowing, 'the globs matched'))
  const count = outcome.certificatesSkipped.length
  if (count > 0) {
    lines.push(
      `Skipped ${count} certificate-backed secret${count === 1 ? '' : 's'} that a glob matched (${outcome.certificatesSkipped.map((name) => `'${name}'`).join(', ')}): ` +
        `a glob reads plain secrets only. Name one in '${Inputs.Secrets}' or '${Inputs.Files}' to read it (its value is the certificate with its private key).`
    )
  }
  return [...lines, ...githubLog(outcome.github)]
}

const SelectionWords = { field: 'field', part: 'the certificate part', decoding: 'the decoding' } as const

/** A row per secret read, file written, secret missing and certificate skipped. */
function getSummary(outcome: GetOutcome, publication: Publication, applied: Applied): Row[] {
  // A column for the vault only when the step read from more than one, one for certificates when a part was read.
  const vaults = new Set([...outcome.secrets, ...outcome.files].map((secret) => secret.vault.url))
  const certificates = [...outcome.secrets, ...outcome.files].some((secret) => secret.certificate)
  const row = (vault: Vault | undefined, cells: string[], certificate?: CertificateInfo): string[] => [
    ...(vaults.size > 1 ? [vault?.name ?? ''] : []),
    ...cells,
    ...(certificates ? [certificateCell(certificate)] : [])
  ]
  return [
    header(
      ...(vaults.size > 1 ? ['Vault'] : []),
      ...['Secret', 'Version', 'Expires', 'Went to'],
      ...(certificates ? ['Certificate'] : [])
    ),
    ...outcome.secrets.map((secret) =>
      row(
        secret.vault,
        [
          labelOf(secret),
          secret.version,
          expiresCell(datedOf(secret), outcome.expiry),
          (publication.destinations.get(destinationKey(secret)) ?? []).join(', ')
        ],
        secret.certificate
      )
    ),
    ...outcome.files.map((file) =>
      row(
        file.vault,
        [
          labelOf({ name: file.entry.name, field: file.entry.field }),
          file.entry.version ?? 'latest',
          expiresCell(datedOf({ ...file, name: file.entry.name }), outcome.expiry),
          `file ${applied.filePaths[file.entry.text] ?? ''}`
        ],
        file.certificate
      )
    ),
    ...outcome.missing.map((name) => row(undefined, [name, '', '', 'not found (skipped)'])),
    ...outcome.certificatesSkipped.map((name) =>
      row(undefined, [name, '', '', 'certificate-backed, not read by a glob'])
    )
  ]
}
