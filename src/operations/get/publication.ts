import { Outputs } from '../../constants.js'
import { renderEnvFile, type EnvFileFormat } from '../../envFile.js'
import { isAlreadySet } from '../../envNames.js'
import { ActionError } from '../../errors.js'
import { expiringOutput, expiryWarnings } from '../../expiry.js'
import { Inputs } from '../../inputs/table.js'
import { isShortForMasking, leafMasks, masksFor } from '../../masking.js'
import { checkEnvBudget } from '../../publish/envBudget.js'
import {
  claim,
  describeOwner,
  draftPublication,
  FixedOutputNames,
  missingWarnings,
  type Owner,
  type Publication,
  type PublicationDraft
} from '../../publish/publication.js'
import { githubOutputs } from '../github.js'
import type { CommonInputs } from '../module.js'
import { invalidNameWarnings } from '../shared.js'
import { certificatesOutput } from './certificates.js'
import { jsonLeaves, type Leaf } from './fields.js'
import { namesOf, variableOf, variablesInput } from './naming.js'
import type { GetInputs, GetOutcome, ReadSecret } from './types.js'

/** What deciding `get`'s publication reads of the inputs. */
export type PublicationOptions = Pick<
  GetInputs & CommonInputs,
  'exportEnv' | 'envFile' | 'parseJson' | 'minMaskLength' | 'expiry'
>

/** A publication as it is decided: the draft, and the one owner of each output and variable. */
interface Building {
  readonly draft: PublicationDraft
  /** What GITHUB_ENV gets with `export-env`, and the env file in any case. */
  readonly variables: Record<string, string>
  readonly variableOwners: Map<string, Owner>
  readonly outputOwners: Map<string, Owner>
}

/** `db-config#conn.host`: a secret, and the field of it that was read. */
export const labelOf = (secret: { readonly name: string; readonly field?: readonly string[] }): string =>
  secret.field ? `${secret.name}#${secret.field.join('.')}` : secret.name

/** Where the summary finds a read secret's destinations: one per secret of one vault (and field). */
export const destinationKey = (secret: Pick<ReadSecret, 'name' | 'field' | 'vault' | 'alias' | 'prefix'>): string =>
  `${secret.vault.url}|${secret.alias ?? ''}|${secret.prefix ?? ''}|${labelOf(secret)}`

/** Notes for the summary that a read secret's value went to `destination`. */
function sendTo({ destinations }: PublicationDraft, secret: ReadSecret, destination: string): void {
  const key = destinationKey(secret)
  destinations.set(key, [...(destinations.get(key) ?? []), destination])
}

/**
 * Decides outputs, variables and the env file. A secret goes out under its alias or its name;
 * `value`, `version` and `id` only when exactly one secret was read. Two secrets under one name
 * are an error. The env file holds exactly the variables `export-env` would export, by the same
 * rules, whether it is given or not.
 */
export function getPublication(
  outcome: GetOutcome,
  options: PublicationOptions,
  environment: NodeJS.ProcessEnv
): Publication {
  const { envFile, minMaskLength } = options
  const draft = draftPublication()
  const building: Building = {
    draft,
    variables: Object.create(null) as Record<string, string>,
    variableOwners: new Map(),
    outputOwners: new Map()
  }
  draft.masks.push(...valueMasks(outcome, minMaskLength))
  draft.files = outcome.files
  draft.warnings.push(...invalidNameWarnings(outcome.invalidNames))
  const [only] = outcome.secrets
  if (outcome.secrets.length === 1 && only) {
    Object.assign(draft.outputs, {
      [Outputs.Value]: only.value,
      [Outputs.Version]: only.version,
      [Outputs.Id]: only.id
    })
    sendTo(draft, only, `output ${Outputs.Value}`)
  }
  draft.warnings.push(...shortValueWarnings(outcome, minMaskLength))
  for (const secret of outcome.secrets) publishSecret(building, secret, options, environment)
  checkEnvBudget(draft.env, environment, process.platform, (name) => {
    const owner = building.variableOwners.get(name)
    return owner ? describeOwner(owner) : 'a secret'
  })
  if (envFile) {
    draft.envFile = {
      target: envFile.target,
      content: envFileContent(building.variables, envFile.format, building.variableOwners)
    }
  }
  Object.assign(draft.outputs, githubOutputs(outcome.github))
  for (const item of outcome.github?.written ?? []) {
    const secret = outcome.secrets.find((read) => read.name.toLowerCase() === item.source.toLowerCase())
    if (secret) sendTo(draft, secret, `GitHub secret ${item.githubName}`)
  }
  draft.warnings.push(...missingWarnings(outcome.missing, 'in the vault'))
  // Only when a secret was noticed: a step whose secrets all have time left gets no new output.
  if (outcome.expiry.length > 0) draft.outputs[Outputs.Expiring] = expiringOutput(outcome.expiry)
  const certificates = certificatesOutput(outcome)
  if (certificates !== undefined) draft.outputs[Outputs.Certificates] = certificates
  draft.warnings.push(...expiryWarnings(outcome.expiry, options.expiry, 'read'))
  return draft
}

/** Every value read (a selected field's whole value too), and each string field of a JSON one, before anything else is written. */
function valueMasks(outcome: GetOutcome, minMaskLength: number): string[] {
  return [...outcome.secrets, ...outcome.files].flatMap((secret) => [
    ...(secret.wholeValue !== undefined ? masksFor(secret.wholeValue, minMaskLength, { jsonLeaves: true }) : []),
    ...(secret.alsoMasked ?? []).flatMap((text) => masksFor(text, minMaskLength)),
    ...masksFor(secret.value, minMaskLength, { jsonLeaves: true })
  ])
}

/** A value shorter than `min-mask-length` is masked all the same, with a warning of what that hides. */
function shortValueWarnings(outcome: GetOutcome, minMaskLength: number): string[] {
  return [...outcome.secrets, ...outcome.files.map((file) => ({ name: file.entry.name, value: file.value }))]
    .filter((secret) => isShortForMasking(secret.value, minMaskLength))
    .map(
      (secret) =>
        `Secret '${secret.name}' is ${secret.value.length} character${secret.value.length === 1 ? '' : 's'} long, less than '${Inputs.MinMaskLength}' (${minMaskLength}): ` +
        `it is masked, but a mask this short also hides the same characters wherever else they appear in the log.`
    )
}

/** One secret read: its value, or with `parse-json` each leaf of a JSON object, as an output and a variable. */
function publishSecret(
  building: Building,
  secret: ReadSecret,
  options: PublicationOptions,
  environment: NodeJS.ProcessEnv
): void {
  const leaves = (options.parseJson && jsonLeaves(secret.value, secret.name)) || [{ path: [], value: secret.value }]
  for (const leaf of leaves) {
    // A leaf shorter than min-mask-length is not masked on its own (a region 'eu' would mask every 'eu' in the log).
    if (leaf.path.length > 0) building.draft.masks.push(...leafMasks(leaf.value, options.minMaskLength))
    publishOutput(building, secret, leaf)
    if (options.exportEnv || options.envFile) publishVariable(building, secret, leaf, options, environment)
  }
}

/** The output of a secret (or a leaf of it); a secret named like a fixed output goes out as `value` alone. */
function publishOutput({ draft, outputOwners }: Building, secret: ReadSecret, leaf: Leaf): void {
  const outputName = namesOf(secret, leaf.path).output
  if (FixedOutputNames.has(outputName.toLowerCase())) {
    if (secret.alias)
      throw new ActionError(
        `Input '${Inputs.Secrets}': the alias '${secret.alias}' is the name of a fixed output. Choose another alias.`
      )
    draft.warnings.push(
      `Secret '${secret.name}' has the name of a fixed output; read its value from the output 'value', or give it an alias.`
    )
    return
  }
  claim(outputOwners, outputName.toLowerCase(), { secret: secret.name, path: [...(secret.field ?? []), ...leaf.path] })
  draft.outputs[outputName] = leaf.value
  sendTo(draft, secret, `output ${outputName}`)
}

/** The variable of a secret (or a leaf of it), for `export-env` and the env file alike. */
function publishVariable(
  { draft, variables, variableOwners }: Building,
  secret: ReadSecret,
  leaf: Leaf,
  { exportEnv, envFile }: Pick<PublicationOptions, 'exportEnv' | 'envFile'>,
  environment: NodeJS.ProcessEnv
): void {
  const { name: envName, refusal } = variableOf(secret, leaf.path)
  if (refusal) {
    // Named secrets were checked before any request; only a glob or a JSON key can bring such a name here.
    draft.warnings.push(
      `Secret '${secret.name}' was not exported as ${envName}: ${refusal}. Read it from its step output.`
    )
    return
  }
  // No list of dangerous names is complete: a name the vault's contents chose never replaces a variable already set.
  if ((secret.fromGlob || leaf.path.length > 0) && isAlreadySet(envName, environment)) {
    draft.warnings.push(
      `Secret '${secret.name}' was not exported as ${envName}: the step's environment already has ${envName}, and a name chosen by the vault's contents ` +
        `(a glob match or a JSON key) never replaces a variable. Read it from its step output, or name the secret in '${Inputs.Secrets}' with an alias.`
    )
    return
  }
  if (envName in variables)
    throw new ActionError(
      `Input '${variablesInput(exportEnv)}': two secrets would be exported as ${envName}. Give one of them an alias.`
    )
  variables[envName] = leaf.value
  variableOwners.set(envName, { secret: secret.name, path: [...(secret.field ?? []), ...leaf.path] })
  if (exportEnv) {
    draft.env[envName] = leaf.value
    sendTo(draft, secret, `env ${envName}`)
  }
  if (envFile) sendTo(draft, secret, `env-file ${envName}`)
}

/** The env file's text; a variable the format cannot carry exactly fails the step, named, never shown. */
export function envFileContent(
  variables: Readonly<Record<string, string>>,
  format: EnvFileFormat,
  owners: ReadonlyMap<string, Owner>
): string {
  const rendered = renderEnvFile(variables, format)
  if ('text' in rendered) return rendered.text
  const owner = owners.get(rendered.refused)
  throw new ActionError(
    `Input '${Inputs.EnvFile}': the dotenv format cannot carry the variable ${rendered.refused}${owner ? ` (${describeOwner(owner)})` : ''} exactly: no quoting of it reads back as the same value. ` +
      `Set '${Inputs.EnvFileFormat}: json' (one JSON object, which carries any value), or read it from its step output.`
  )
}
