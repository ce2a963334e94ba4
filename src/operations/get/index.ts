import type { KeyVaultSecret, SecretClient } from '@azure/keyvault-secrets'
import { mapWithConcurrency } from '../../concurrency.js'
import type { FileSecret } from '../../files.js'
import { jsonDepth, objectLeaves } from '../../json.js'
import { Outputs } from '../../constants.js'
import { renderEnvFile, type EnvFileFormat } from '../../envFile.js'
import { envNameFor, isAlreadySet, refusalOf, refusalOfPrefix } from '../../envNames.js'
import { ActionError, quote, SecretFailure } from '../../errors.js'
import {
  decideExpiry,
  expiresCell,
  expiringOutput,
  expiryWarnings,
  type Dated,
  type ExpiryNotice,
  type ExpiryRules
} from '../../expiry.js'
import { readExpiryRules } from '../../inputs/expiry.js'
import {
  globMatcher,
  vaultChosenNames,
  variablePrefixOf,
  type FileEntry,
  type SecretEntry
} from '../../inputs/entries.js'
import { readBoolean } from '../../inputs/read.js'
import { readEntries, readFileTargets, type EnvFileInput } from '../../inputs/targets.js'
import { NoVault, type Vault } from '../../inputs/vault.js'
import { InputTable, Inputs } from '../../inputs/table.js'
import { isShortForMasking, leafMasks, masksFor } from '../../masking.js'
import { checkEnvBudget } from '../../publish/envBudget.js'
import {
  claim,
  describeOwner,
  draftPublication,
  FixedOutputNames,
  missingWarnings,
  type Owner,
  type Publication
} from '../../publish/publication.js'
import { UntrustedAnswer, validDate } from '../../vault/answers.js'
import { attempt } from '../../vault/attempt.js'
import { isCondition } from '../../vault/serviceErrors.js'
import { readGitHubSync, type GitHubSync } from '../../inputs/github.js'
import { githubLog, githubOutputs, type GitHubOutcome } from '../github.js'
import { header, type CommonInputs, type OperationModule, type RunContext } from '../module.js'
import { invalidNameWarnings, listedSecrets } from '../shared.js'

export interface GetInputs {
  /** `secret-name`, or the entries of `secrets`; none when `files` alone names what to read. */
  readonly targets: readonly SecretEntry[]
  /** Secrets to write to files. */
  readonly files: readonly FileEntry[]
  /** Also export each value as an environment variable. */
  readonly exportEnv: boolean
  /** `env-file`: write those variables (named as `export-env` names them, with or without it) to one file. */
  readonly envFile?: EnvFileInput
  /** A JSON object value goes out as one entry per leaf. */
  readonly parseJson: boolean
  /** A missing secret is a warning, not a failure. */
  readonly ignoreMissing: boolean
  /** `github-secrets`: values to write on to GitHub. */
  readonly github?: GitHubSync
  /** `expiry-warning` and `fail-on-expired`. */
  readonly expiry: ExpiryRules
}

/** A secret `get` read; its value is masked before any use. */
export interface ReadSecret {
  readonly name: string
  readonly alias?: string
  /** The prefix alias of the glob that found it (`KV_*=*`): it goes out as `KV_<name>`. */
  readonly prefix?: string
  /** Found by a glob rather than named: a refused variable name is skipped, not an error. */
  readonly fromGlob: boolean
  /** The value handed on: the whole value, or the selected field's. */
  readonly value: string
  /** With a field: the whole value it came from, masked all the same. */
  readonly wholeValue?: string
  readonly field?: readonly string[]
  readonly vault: Vault
  readonly version: string
  readonly id: string
  /** When the version read expires, if it does. */
  readonly expiresOn?: Date
}

export interface GetOutcome {
  readonly operation: 'get'
  readonly secrets: readonly ReadSecret[]
  readonly files: readonly FileSecret[]
  readonly missing: readonly string[]
  /** Certificate-backed secrets a glob matched and did not read. */
  readonly certificatesSkipped: readonly string[]
  /** Names the vault listed that no secret can have: skipped. */
  readonly invalidNames: readonly string[]
  /** The secrets read (and files) that have expired or expire within `expiry-warning`, soonest first. */
  readonly expiry: readonly ExpiryNotice[]
  readonly github?: GitHubOutcome
}

/** `get`: reads secrets (and `files`); hands them to later steps as outputs, variables and files. */
export const get: OperationModule<GetInputs, GetOutcome> = {
  permission: {
    policy: 'get',
    role: 'Key Vault Secrets User',
    dataAction: 'Microsoft.KeyVault/vaults/secrets/getSecret/action'
  },
  readInputs: ({ env, cloud, vault: given }) => {
    const { files, envFile } = readFileTargets(cloud)
    const targets = readEntries({ noneIfFiles: files.length > 0, cloud })
    // A plain name means the step's vault; full identifiers name their own.
    const entries = [...targets, ...files]
    if (!given && entries.some((entry) => !entry.vault)) throw NoVault({ identifiers: true })
    checkOutputClashes(targets)
    return {
      own: {
        targets,
        files,
        envFile,
        exportEnv: readExportEnv(targets, envFile),
        parseJson: readBoolean(InputTable.ParseJson),
        ignoreMissing: readBoolean(InputTable.IgnoreMissing),
        github: readGitHubSync({ operation: 'get', targets }, env),
        expiry: readExpiryRules()
      },
      vault: given ?? entries.find((entry) => entry.vault)?.vault
    }
  },
  vaultOptional: true,
  run: getSecrets,
  // Once every read has succeeded and what later steps get is decided: a failure writes nothing to GitHub.
  gitHub: {
    sources: (outcome) => ({
      sources: outcome.secrets.map((secret) => ({ ...secret, exportName: namesOf(secret).env })),
      missing: outcome.missing
    }),
    record: (outcome, github) => ({ ...outcome, github })
  },
  decide: (outcome, inputs, environment) => getPublication(outcome, inputs, environment),
  log: (_vault, outcome) => {
    const lines = outcome.secrets.map(
      (secret) =>
        `Read ${secret.field ? `field ${quote(secret.field.join('.'))} of ` : ''}secret '${secret.name}' (version ${secret.version}) from vault '${secret.vault.name}'.`
    )
    const count = outcome.certificatesSkipped.length
    if (count > 0) {
      lines.push(
        `Skipped ${count} certificate-backed secret${count === 1 ? '' : 's'} that a glob matched (${outcome.certificatesSkipped.map((name) => `'${name}'`).join(', ')}): ` +
          `a glob reads plain secrets only. Name one in '${Inputs.Secrets}' or '${Inputs.Files}' to read it (its value is the certificate with its private key).`
      )
    }
    return [...lines, ...githubLog(outcome.github)]
  },
  summary: (outcome, publication, applied) => {
    // A column for the vault only when the step read from more than one.
    const vaults = new Set([...outcome.secrets, ...outcome.files].map((secret) => secret.vault.url))
    const withVault = (vault: Vault | undefined, row: string[]): string[] =>
      vaults.size > 1 ? [vault?.name ?? '', ...row] : row
    return [
      header(
        ...withVault(undefined, ['Secret', 'Version', 'Expires', 'Went to']).map((title, i) =>
          i === 0 && vaults.size > 1 ? 'Vault' : title
        )
      ),
      ...outcome.secrets.map((secret) =>
        withVault(secret.vault, [
          labelOf(secret),
          secret.version,
          expiresCell(datedOf(secret), outcome.expiry),
          (publication.destinations.get(destinationKey(secret)) ?? []).join(', ')
        ])
      ),
      ...outcome.files.map((file) =>
        withVault(file.vault, [
          labelOf({ name: file.entry.name, field: file.entry.field }),
          file.entry.version ?? 'latest',
          expiresCell(datedOf({ name: file.entry.name, vault: file.vault, expiresOn: file.expiresOn }), outcome.expiry),
          `file ${applied.filePaths[file.entry.text] ?? ''}`
        ])
      ),
      ...outcome.missing.map((name) => withVault(undefined, [name, '', '', 'not found (skipped)'])),
      ...outcome.certificatesSkipped.map((name) =>
        withVault(undefined, [name, '', '', 'certificate-backed, not read by a glob'])
      )
    ]
  }
}

/** A secret read, for the expiry checks: its name, its vault's name, its expiry. */
const datedOf = (secret: { readonly name: string; readonly vault: Vault; readonly expiresOn?: Date }): Dated => ({
  name: secret.name,
  vault: secret.vault.name,
  expiresOn: secret.expiresOn
})

/** `db-config#conn.host`: a secret, and the field of it that was read. */
const labelOf = (secret: { readonly name: string; readonly field?: readonly string[] }): string =>
  secret.field ? `${secret.name}#${secret.field.join('.')}` : secret.name

/** Where the summary finds a read secret's destinations: one per secret of one vault (and field). */
export const destinationKey = (secret: Pick<ReadSecret, 'name' | 'field' | 'vault' | 'alias' | 'prefix'>): string =>
  `${secret.vault.url}|${secret.alias ?? ''}|${secret.prefix ?? ''}|${labelOf(secret)}`

/**
 * The names a read secret goes out under, as `parse-json` names leaves: its alias, or its name
 * (after its glob's prefix alias, if any) and the keys of the field it selects
 * (`db-config_conn_host`, `DB_CONFIG_CONN_HOST`). A leaf is named under its secret's variable name,
 * so it stays under the name or prefix the workflow wrote.
 */
function namesOf(
  secret: {
    readonly name: string
    readonly alias?: string
    readonly prefix?: string
    readonly field?: readonly string[]
  },
  leafPath: readonly string[] = []
) {
  const keys = secret.alias ? leafPath : [...(secret.field ?? []), ...leafPath]
  const prefix = secret.prefix ?? ''
  return {
    output: [secret.alias ?? `${prefix}${secret.name}`, ...keys.map((key) => key.replace(/[^A-Za-z0-9_-]/g, '_'))].join(
      '_'
    ),
    env: [
      secret.alias ?? `${prefix}${envNameFor(secret.name)}`,
      ...keys.map((key) => key.toUpperCase().replace(/[^A-Z0-9_]/g, '_'))
    ].join('_')
  }
}

/**
 * Two named entries that would be one output (the same secret name in two vaults, two versions, two
 * fields under one alias) are an error before any request; the same entry twice is read once.
 */
function checkOutputClashes(targets: readonly SecretEntry[]): void {
  const seen = new Map<string, SecretEntry>()
  const sameSecret = (a: SecretEntry, b: SecretEntry): boolean =>
    (a.vault?.url ?? '') === (b.vault?.url ?? '') &&
    a.name.toLowerCase() === b.name.toLowerCase() &&
    (a.version ?? '') === (b.version ?? '') &&
    (a.field ?? []).join('.') === (b.field ?? []).join('.')
  for (const target of targets.filter((entry) => !entry.isGlob)) {
    const name = namesOf(target).output.toLowerCase()
    const first = seen.get(name)
    if (first && !sameSecret(first, target))
      throw new ActionError(
        `Input '${Inputs.Secrets}': the entries ${quote(first.text)} and ${quote(target.text)} would both be the output '${namesOf(target).output}'. Give one of them an alias (ALIAS=...).`
      )
    seen.set(name, target)
  }
}

/**
 * `export-env`. A variable goes out only under a name or a prefix the workflow wrote: a glob
 * without a prefix would let whoever may write to the vault name a variable of every later step
 * (JAVA_OPTS, LD_PRELOAD, and names no list has yet), so it is refused now, with GITHUB_ENV and the
 * dotenv env file alike (the json env file is read by no process by itself). The variable names of
 * named secrets are checked now too, so a refused one fails before any request.
 */
function readExportEnv(targets: readonly SecretEntry[], envFile: EnvFileInput | undefined): boolean {
  const exportEnv = readBoolean(InputTable.ExportEnv)
  if (!exportEnv && !envFile) return false
  if (exportEnv || envFile?.format === 'dotenv') {
    const unprefixed = targets.find((entry) => entry.isGlob && variablePrefixOf(entry) === undefined)
    if (unprefixed)
      throw vaultChosenNames(
        unprefixed,
        exportEnv ? `environment variables ('${Inputs.ExportEnv}')` : `the variables of the dotenv '${Inputs.EnvFile}'`
      )
  }
  for (const glob of targets.filter((entry) => entry.prefix !== undefined)) {
    const refusal = refusalOfPrefix(glob.prefix ?? '')
    if (refusal)
      throw new ActionError(
        `Input '${variablesInput(exportEnv)}': the entry ${quote(glob.text)} would export every match under ${glob.prefix}, which is refused: ${refusal}. Choose another prefix.`
      )
  }
  for (const target of targets.filter((entry) => !entry.isGlob)) {
    const name = namesOf(target).env
    const refusal = refusalOf(name)
    if (refusal) {
      throw new ActionError(
        `Input '${variablesInput(exportEnv)}': secret ${quote(target.text)} would be exported as ${name}, which is refused: ${refusal}. Give it an alias (ALIAS=name in '${Inputs.Secrets}') or read it from the step output.`
      )
    }
  }
  return exportEnv
}

/** The input that asked for variables: errors about their names start with it. */
const variablesInput = (exportEnv: boolean): string => (exportEnv ? Inputs.ExportEnv : Inputs.EnvFile)

/** Reads every secret and file entry; nothing is exported until all of them have arrived. */
async function getSecrets(
  _client: SecretClient,
  inputs: GetInputs & CommonInputs,
  context: RunContext
): Promise<GetOutcome> {
  const { targets, certificatesSkipped, invalidNames } = await resolveTargets(
    context.clientFor,
    inputs.targets,
    inputs.vault
  )
  const missing: string[] = []
  const read = (vault: Vault, name: string, version: string | undefined, allowMissing: boolean) =>
    attempt(
      name,
      'get',
      () => context.clientFor(vault).getSecret(name, { version }).then(withValue),
      { allowed: allowMissing, names: missing },
      vault
    ).catch(async (error: unknown) => {
      throw await withExpiryDate(context.clientFor(vault), error, version)
    })
  // One pool for secrets and files, so `concurrency` bounds every request in flight.
  const tasks = [...targets.map((target) => ({ target })), ...inputs.files.map((file) => ({ file }))]
  const results = await mapWithConcurrency(
    tasks,
    inputs.concurrency,
    async (task): Promise<ReadSecret | FileSecret | undefined> => {
      if ('file' in task) {
        const { file } = task
        const vault = file.vault ?? inputs.vault
        const secret = await read(vault, file.name, file.version, inputs.ignoreMissing)
        if (!secret) return undefined
        const expiresOn = validDate(secret.properties.expiresOn)
        if (!file.field)
          return {
            entry: file,
            vault,
            value: secret.value,
            contentType: secret.properties.contentType ?? '',
            expiresOn
          }
        // A field is text: the content type describes the whole value, not it.
        const value = selectField(secret.value, file.field, { name: file.name, entry: file.text, input: Inputs.Files })
        return { entry: file, vault, value, wholeValue: secret.value, contentType: '', expiresOn }
      }
      const { target } = task
      const secret = await read(target.vault, target.name, target.version, inputs.ignoreMissing && !target.fromGlob)
      if (!secret) return undefined
      const value = target.field
        ? selectField(secret.value, target.field, {
            name: target.name,
            entry: target.text ?? target.name,
            input: Inputs.Secrets
          })
        : secret.value
      return {
        name: target.name,
        alias: target.alias,
        prefix: target.prefix,
        fromGlob: target.fromGlob,
        value,
        ...(target.field && { wholeValue: secret.value, field: target.field }),
        vault: target.vault,
        version: secret.properties.version ?? '',
        id: secret.properties.id ?? '',
        expiresOn: validDate(secret.properties.expiresOn)
      }
    }
  )
  const secrets = results.filter((result): result is ReadSecret => result !== undefined && 'name' in result)
  const files = results.filter((result): result is FileSecret => result !== undefined && 'entry' in result)
  // Before GitHub and before anything is exported: with `fail-on-expired`, an expired secret fails the step here.
  const expiry = decideExpiry(
    [...secrets, ...files.map((file) => ({ name: file.entry.name, vault: file.vault, expiresOn: file.expiresOn }))].map(
      datedOf
    ),
    inputs.expiry,
    context.now()
  )
  return {
    operation: 'get',
    secrets,
    files,
    missing,
    certificatesSkipped,
    invalidNames,
    expiry
  }
}

/**
 * One leaf of a JSON value, by its keys: a number selects an array element (or an object key of
 * that name). A value that is not JSON, a key that is not there, or a field that is an object or
 * an array is an error naming the entry and the path, never quoting the value.
 */
export function selectField(
  value: string,
  field: readonly string[],
  where: { readonly name: string; readonly entry: string; readonly input: string }
): string {
  const path = field.join('.')
  let node: unknown
  try {
    node = JSON.parse(value)
  } catch {
    throw new ActionError(
      `Input '${where.input}', entry ${quote(where.entry)}: secret '${where.name}' is not JSON, so the field ${quote(path)} cannot be read from it. Name the secret without '#${path}' to read its whole value.`
    )
  }
  for (const [index, key] of field.entries()) {
    const here = field.slice(0, index + 1).join('.')
    const child =
      Array.isArray(node) && /^\d+$/.test(key)
        ? (node as unknown[])[Number(key)]
        : typeof node === 'object' && node !== null && Object.prototype.hasOwnProperty.call(node, key)
          ? (node as Record<string, unknown>)[key]
          : undefined
    if (child === undefined)
      throw new ActionError(
        `Input '${where.input}', entry ${quote(where.entry)}: secret '${where.name}' has no field ${quote(here)}${here === path ? '' : ` (on the way to ${quote(path)})`}.`
      )
    node = child
  }
  if (typeof node === 'object' && node !== null)
    throw new ActionError(
      `Input '${where.input}', entry ${quote(where.entry)}: the field ${quote(path)} of secret '${where.name}' is ${Array.isArray(node) ? 'an array' : 'an object'}, not a value. Select one of its fields (${quote(`${path}.<key>`)}).`
    )
  return typeof node === 'string' ? node : node === null ? '' : JSON.stringify(node)
}

/**
 * A read the vault refused because the secret has expired (403 SecretExpired) says when it
 * expired, if the identity may list the secret's versions (that takes the `list` permission, which
 * `get` does not need). The service sends no date with the refusal.
 */
async function withExpiryDate(client: SecretClient, error: unknown, version: string | undefined): Promise<unknown> {
  if (!(error instanceof SecretFailure) || !isCondition(error.cause, 'secretExpired')) return error
  const expiredOn = await expiryOfVersion(client, error.secretName, version).catch(() => undefined)
  return new SecretFailure(error.secretName, error.cause, error.operation, error.vault, expiredOn)
}

// A secret rotated daily for years has a few thousand versions; past this many, the date is not worth the requests.
const MAX_VERSIONS_LOOKED_AT = 1000

/** When the version expires: the one asked for, or the current one (the newest created). */
async function expiryOfVersion(
  client: SecretClient,
  name: string,
  version: string | undefined
): Promise<Date | undefined> {
  let chosen: { created: number; expiresOn?: Date } | undefined
  let seen = 0
  for await (const properties of client.listPropertiesOfSecretVersions(name)) {
    if (++seen > MAX_VERSIONS_LOOKED_AT) return undefined
    const expiresOn = validDate(properties.expiresOn)
    if (version !== undefined) {
      if (properties.version?.toLowerCase() === version.toLowerCase()) return expiresOn
      continue
    }
    const created = validDate(properties.createdOn)?.getTime() ?? -Infinity
    if (!chosen || created > chosen.created) chosen = { created, expiresOn }
  }
  return chosen?.expiresOn
}

/** A read answered 200 without a value is no read: it must not pass as an empty secret. */
function withValue(secret: KeyVaultSecret): KeyVaultSecret & { readonly value: string } {
  if (typeof secret.value !== 'string') throw new UntrustedAnswer('no-value', 'a read answered without a value')
  return secret as KeyVaultSecret & { readonly value: string }
}

interface Target {
  readonly name: string
  readonly alias?: string
  readonly prefix?: string
  readonly version?: string
  readonly field?: readonly string[]
  /** The entry it came from, for messages; a glob's matches have none of their own. */
  readonly text?: string
  readonly vault: Vault
  readonly fromGlob: boolean
}

/**
 * Expands globs over the names of every enabled secret of their vault (one listing each, all
 * pages); named entries pass as they are. A glob skips the secrets that back Key Vault
 * certificates (`managed`): their values are certificates with private keys, which `*` should not
 * hand to every later step unasked; named in an entry, one is read like any secret.
 */
async function resolveTargets(
  clientFor: (vault: Vault) => SecretClient,
  entries: readonly SecretEntry[],
  stepVault: Vault
): Promise<{ targets: Target[]; certificatesSkipped: string[]; invalidNames: string[] }> {
  const vaultOf = (entry: SecretEntry): Vault => entry.vault ?? stepVault
  const globVaults = [
    ...new Map(entries.filter((entry) => entry.isGlob).map((entry) => [vaultOf(entry).url, vaultOf(entry)])).values()
  ]
  // A name from another vault than the step's is shown with its vault.
  const shown = (vault: Vault, name: string): string => (vault.url === stepVault.url ? name : `${vault.name}/${name}`)
  const listings = new Map<string, { enabled: string[]; certificates: string[] }>()
  const invalidNames: string[] = []
  for (const vault of globVaults) {
    const listing = await listedSecrets(clientFor(vault))
    invalidNames.push(...listing.invalidNames.map((name) => shown(vault, name)))
    const enabled: string[] = []
    const certificates: string[] = []
    for (const properties of listing.listed) {
      if (properties.enabled === false) continue
      if (properties.managed === true) certificates.push(properties.name)
      else enabled.push(properties.name)
    }
    listings.set(vault.url, { enabled: enabled.sort(), certificates })
  }
  const targets = new Map<string, Target>()
  for (const entry of entries) {
    const vault = vaultOf(entry)
    const found: Target[] = entry.isGlob
      ? (listings.get(vault.url)?.enabled ?? [])
          .filter(globMatcher(entry.name))
          .map((name) => ({ name, prefix: entry.prefix, vault, fromGlob: true }))
      : [
          {
            name: entry.name,
            alias: entry.alias,
            version: entry.version,
            field: entry.field,
            text: entry.text,
            vault,
            fromGlob: false
          }
        ]
    // The same secret reached twice (two globs, or a glob and its name) is read once; a named entry wins.
    for (const target of found) {
      const key = [
        vault.url,
        target.prefix ?? '',
        (target.alias ?? target.name).toLowerCase(),
        target.version ?? '',
        (target.field ?? []).join('.')
      ].join('|')
      if (!targets.has(key) || !target.fromGlob) targets.set(key, target)
    }
  }
  const named = new Set(
    entries.filter((entry) => !entry.isGlob).map((entry) => `${vaultOf(entry).url}|${entry.name.toLowerCase()}`)
  )
  const certificatesSkipped = globVaults
    .flatMap((vault) =>
      (listings.get(vault.url)?.certificates ?? [])
        .filter(
          (name) =>
            !named.has(`${vault.url}|${name.toLowerCase()}`) &&
            entries.some((entry) => entry.isGlob && vaultOf(entry).url === vault.url && globMatcher(entry.name)(name))
        )
        .map((name) => shown(vault, name))
    )
    .sort()
  return { targets: [...targets.values()], certificatesSkipped, invalidNames }
}

/** The env file's text; a variable the format cannot carry exactly fails the step, named, never shown. */
function envFileContent(
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

interface Leaf {
  readonly path: string[]
  readonly value: string
}

/**
 * Each leaf is named by its path of keys, so `parse-json` takes values that nest this deep at most
 * (a config nests a few levels); deeper, the names would be the vault's runaway text.
 */
export const MaxParsedJsonDepth = 32

/**
 * The leaves of a JSON object value, or undefined when the value is not a JSON object or has no
 * leaf ({}). Nesting deeper than MaxParsedJsonDepth is an error naming the secret.
 */
function jsonLeaves(value: string, secretName: string): Leaf[] | undefined {
  let parsed: unknown
  try {
    parsed = JSON.parse(value)
  } catch {
    return undefined
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined
  if (jsonDepth(parsed) > MaxParsedJsonDepth)
    throw new ActionError(
      `Input '${Inputs.ParseJson}': secret '${secretName}' is JSON nested more than ${MaxParsedJsonDepth} levels deep, and '${Inputs.ParseJson}' names each value by its path of keys. ` +
        `Read it without '${Inputs.ParseJson}' (whole), or select one field with '${secretName}#key.path' in '${Inputs.Secrets}'.`
    )
  const leaves = objectLeaves(parsed).map(({ path, node }) => ({
    path: [...path],
    value: typeof node === 'string' ? node : node === null ? '' : JSON.stringify(node)
  }))
  // An object without leaves would publish nothing at all: it passes through unchanged instead.
  return leaves.length > 0 ? leaves : undefined
}

/**
 * Decides outputs, variables and the env file. A secret goes out under its alias or its name;
 * `value`, `version` and `id` only when exactly one secret was read. Two secrets under one name
 * are an error. The env file holds exactly the variables `export-env` would export, by the same
 * rules, whether it is given or not.
 */
export function getPublication(
  outcome: GetOutcome,
  options: Pick<GetInputs & CommonInputs, 'exportEnv' | 'envFile' | 'parseJson' | 'minMaskLength' | 'expiry'>,
  environment: NodeJS.ProcessEnv
): Publication {
  const { exportEnv, envFile, parseJson, minMaskLength } = options
  const draft = draftPublication()
  // What GITHUB_ENV gets with `export-env`, and the env file in any case.
  const variables = Object.create(null) as Record<string, string>
  const variableOwners = new Map<string, Owner>()
  const { outputs, env, warnings, masks, destinations } = draft
  const sendTo = (secret: ReadSecret, destination: string): void => {
    const key = destinationKey(secret)
    destinations.set(key, [...(destinations.get(key) ?? []), destination])
  }
  // Every value read (a selected field's whole value too), and each string field of a JSON one, before anything else is written.
  for (const secret of [...outcome.secrets, ...outcome.files]) {
    if (secret.wholeValue !== undefined) masks.push(...masksFor(secret.wholeValue, minMaskLength, { jsonLeaves: true }))
    masks.push(...masksFor(secret.value, minMaskLength, { jsonLeaves: true }))
  }
  draft.files = outcome.files
  warnings.push(...invalidNameWarnings(outcome.invalidNames))
  const [only] = outcome.secrets
  if (outcome.secrets.length === 1 && only) {
    Object.assign(outputs, { [Outputs.Value]: only.value, [Outputs.Version]: only.version, [Outputs.Id]: only.id })
    sendTo(only, `output ${Outputs.Value}`)
  }
  for (const secret of [
    ...outcome.secrets,
    ...outcome.files.map((file) => ({ name: file.entry.name, value: file.value }))
  ]) {
    if (isShortForMasking(secret.value, minMaskLength)) {
      warnings.push(
        `Secret '${secret.name}' is ${secret.value.length} character${secret.value.length === 1 ? '' : 's'} long, less than '${Inputs.MinMaskLength}' (${minMaskLength}): ` +
          `it is masked, but a mask this short also hides the same characters wherever else they appear in the log.`
      )
    }
  }
  const outputOwners = new Map<string, Owner>()
  for (const secret of outcome.secrets) {
    const leaves = (parseJson && jsonLeaves(secret.value, secret.name)) || [{ path: [], value: secret.value }]
    for (const leaf of leaves) {
      // A leaf shorter than min-mask-length is not masked on its own (a region 'eu' would mask every 'eu' in the log).
      if (leaf.path.length > 0) masks.push(...leafMasks(leaf.value, minMaskLength))
      const { output: outputName, env: envName } = namesOf(secret, leaf.path)
      if (FixedOutputNames.has(outputName.toLowerCase())) {
        if (secret.alias)
          throw new ActionError(
            `Input '${Inputs.Secrets}': the alias '${secret.alias}' is the name of a fixed output. Choose another alias.`
          )
        warnings.push(
          `Secret '${secret.name}' has the name of a fixed output; read its value from the output 'value', or give it an alias.`
        )
      } else {
        claim(outputOwners, outputName.toLowerCase(), {
          secret: secret.name,
          path: [...(secret.field ?? []), ...leaf.path]
        })
        outputs[outputName] = leaf.value
        sendTo(secret, `output ${outputName}`)
      }
      if (!exportEnv && !envFile) continue
      const refusal = refusalOf(envName)
      if (refusal) {
        // Named secrets were checked before any request; only a glob or a JSON key can bring such a name here.
        warnings.push(
          `Secret '${secret.name}' was not exported as ${envName}: ${refusal}. Read it from its step output.`
        )
        continue
      }
      // No list of dangerous names is complete: a name the vault's contents chose never replaces a variable already set.
      if ((secret.fromGlob || leaf.path.length > 0) && isAlreadySet(envName, environment)) {
        warnings.push(
          `Secret '${secret.name}' was not exported as ${envName}: the step's environment already has ${envName}, and a name chosen by the vault's contents ` +
            `(a glob match or a JSON key) never replaces a variable. Read it from its step output, or name the secret in '${Inputs.Secrets}' with an alias.`
        )
        continue
      }
      if (envName in variables)
        throw new ActionError(
          `Input '${variablesInput(exportEnv)}': two secrets would be exported as ${envName}. Give one of them an alias.`
        )
      variables[envName] = leaf.value
      variableOwners.set(envName, { secret: secret.name, path: [...(secret.field ?? []), ...leaf.path] })
      if (exportEnv) {
        env[envName] = leaf.value
        sendTo(secret, `env ${envName}`)
      }
      if (envFile) sendTo(secret, `env-file ${envName}`)
    }
  }
  checkEnvBudget(env, environment, process.platform, (name) => {
    const owner = variableOwners.get(name)
    return owner ? describeOwner(owner) : 'a secret'
  })
  if (envFile) {
    draft.envFile = {
      target: envFile.target,
      content: envFileContent(variables, envFile.format, variableOwners)
    }
  }
  Object.assign(outputs, githubOutputs(outcome.github))
  for (const item of outcome.github?.written ?? []) {
    const secret = outcome.secrets.find((read) => read.name.toLowerCase() === item.source.toLowerCase())
    if (secret) sendTo(secret, `GitHub secret ${item.githubName}`)
  }
  warnings.push(...missingWarnings(outcome.missing, 'in the vault'))
  // Only when a secret was noticed: a step whose secrets all have time left gets no new output.
  if (outcome.expiry.length > 0) outputs[Outputs.Expiring] = expiringOutput(outcome.expiry)
  warnings.push(...expiryWarnings(outcome.expiry, options.expiry, 'read'))
  return draft
}
