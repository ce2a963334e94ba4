import * as core from '@actions/core'
import { AuthTypes, EnvFallbacks, Inputs, Operations, type AuthType, type Operation } from './constants.js'
import { Clouds, type Cloud } from './clouds.js'
import { ActionError, quote } from './errors.js'
import { envNameFor, refusalOf } from './envNames.js'
import { checkFileTargets } from './files.js'
import { notUsedWith, readBoolean, readChoice, readWholeNumber } from './inputReaders.js'
import { maskValue, MinMaskLength } from './masking.js'
import { isGuid, isHostName, isSecretName, isTenant, isVaultName, SecretNameRule, VaultNameRule } from './names.js'
import { readSetRequest, type SetRequest } from './setInputs.js'
import { parseFilesInput, parseSecretsInput, type FileEntry, type SecretEntry } from './selection.js'

/** How to sign in, gathered from inputs, `creds` and the AZURE_* fallbacks. */
export interface SignInSettings {
  readonly authType: AuthType
  readonly clientId?: string
  readonly tenantId?: string
  readonly clientSecret?: string
  readonly audience: string
  readonly cloud: Cloud
}

export interface Vault {
  /** Origin of the vault, e.g. https://contoso-kv.vault.azure.net */
  readonly url: string
  /** What messages and `az` hints call the vault: its name, or its host when it is not under a cloud's vault suffix. */
  readonly name: string
  /** The input the vault came from, for messages that ask the user to check it. */
  readonly input: typeof Inputs.VaultName | typeof Inputs.VaultUrl
}

export interface ActionInputs {
  readonly operation: Operation
  readonly vault: Vault
  /** The secret `set` writes. */
  readonly secretName: string
  /** The secrets `get` reads and `delete` deletes: `secret-name`, or the entries of `secrets`. */
  readonly targets: readonly SecretEntry[]
  /** `set`: the value and the properties of the new version. */
  readonly set?: SetRequest
  readonly signIn: SignInSettings
  /** `get`: also export each value as an environment variable. */
  readonly exportEnv: boolean
  /** `get`: secrets to write to files. */
  readonly files: readonly FileEntry[]
  /** `get`: a JSON object value goes out as one entry per leaf. */
  readonly parseJson: boolean
  /** A missing secret is a warning, not a failure. */
  readonly ignoreMissing: boolean
  /** How many requests to the vault may be in flight at once. */
  readonly concurrency: number
  /** `delete`, `recover`, `purge`: wait until the service has finished. */
  readonly wait: boolean
  /** `delete`: purge the secret once deleted. */
  readonly purge: boolean
  /** Write the job summary. */
  readonly summary: boolean
  /** Seconds the whole run may take, retries and waits included. */
  readonly timeout: number
  /** Lines and JSON leaves shorter than this are not masked on their own; a one-line value always is, whole. */
  readonly minMaskLength: number
}

/**
 * Reads and validates every input before any request is made. Values that are secrets are
 * registered with the runner first, so no later line (including an error) can show them.
 */
export function readInputs(env: NodeJS.ProcessEnv = process.env): ActionInputs {
  // Read first: it decides how the secret inputs are masked.
  const minMaskLength = readWholeNumber(Inputs.MinMaskLength, MinMaskLength)
  maskSensitiveInputs(env, minMaskLength)

  const operation = readChoice(Inputs.Operation, Operations, 'get')
  const cloud = readCloud()
  const vault = readVault(cloud)
  const files = readFiles(operation)
  const { secretName, targets } = readTargets(operation, files.length > 0)
  const set = readSetRequest(operation, minMaskLength)
  const signIn = readSignInSettings(cloud, env, minMaskLength)
  const exportEnv = readExportEnv(operation, targets)
  const parseJson = readBoolean(Inputs.ParseJson, false)
  const ignoreMissing = readBoolean(Inputs.IgnoreMissing, false)
  const concurrency = readWholeNumber(Inputs.Concurrency, ConcurrencyBounds)
  const summary = readBoolean(Inputs.Summary, true)
  const wait = readBoolean(Inputs.Wait, true)
  const purge = readPurge(operation, wait)
  const timeout = readWholeNumber(Inputs.Timeout, TimeoutBounds)
  return {
    operation,
    vault,
    secretName,
    targets,
    set,
    signIn,
    files,
    exportEnv,
    parseJson,
    ignoreMissing,
    concurrency,
    wait,
    purge,
    summary,
    timeout,
    minMaskLength
  }
}

// A healthy run takes seconds. Five minutes leaves room for a minute of throttling waits and every
// retry of a failing request (at most 15 s of backoff each), and still ends a hung step long before
// GitHub's six-hour job limit. One hour at most: a step that needs more has a problem to report.
const TimeoutBounds = { min: 1, max: 3600, fallback: 300 } as const

function maskSensitiveInputs(env: NodeJS.ProcessEnv, minMaskLength: number): void {
  maskValue(core.getInput(Inputs.SecretValue, { trimWhitespace: false }), minMaskLength)
  maskValue(core.getInput(Inputs.ClientSecret), minMaskLength)
  maskValue(core.getInput(Inputs.Creds), minMaskLength)
  maskValue(env[EnvFallbacks.ClientSecret], minMaskLength)
}

/** Variable names of named secrets are checked now, so a refused one fails before any request. */
function readExportEnv(operation: Operation, targets: readonly SecretEntry[]): boolean {
  if (!readBoolean(Inputs.ExportEnv, false)) return false
  if (operation !== 'get') {
    throw notUsedWith(Inputs.ExportEnv, operation, `'${Inputs.Operation}: get'`)
  }
  for (const target of targets.filter((entry) => !entry.isGlob)) {
    const name = target.alias ?? envNameFor(target.name)
    const refusal = refusalOf(name)
    if (refusal) {
      throw new ActionError(
        `Input '${Inputs.ExportEnv}': secret ${quote(target.text)} would be exported as ${name}, which is refused: ${refusal}. Give it an alias (ALIAS=name in '${Inputs.Secrets}') or read it from the step output.`
      )
    }
  }
  return true
}

// 100 secrets at 40 ms per request (`npm run bench`, 11 interleaved runs): 32 -> 613 ms, 48 -> 582 ms,
// 64 -> 552 ms, 100 -> slower again (each connection's TLS handshake costs CPU on a 2-vCPU runner).
const ConcurrencyBounds = { min: 1, max: 64, fallback: 64 } as const

function readPurge(operation: Operation, wait: boolean): boolean {
  const purge = readBoolean(Inputs.Purge, false)
  if (!purge) return false
  if (operation !== 'delete')
    throw notUsedWith(
      Inputs.Purge,
      operation,
      `'${Inputs.Operation}: delete' (for a deleted secret, use '${Inputs.Operation}: purge')`
    )
  if (!wait) {
    throw new ActionError(
      `Input '${Inputs.Purge}: true' needs the delete to finish first, so it cannot be used with '${Inputs.Wait}: false'. Remove one of them.`
    )
  }
  return true
}

function readCloud(): Cloud {
  const names = Object.keys(Clouds)
  const name = readChoice(Inputs.Environment, names, 'AzureCloud')
  return Clouds[name] as Cloud
}

function readVault(cloud: Cloud): Vault {
  const name = core.getInput(Inputs.VaultName)
  const url = core.getInput(Inputs.VaultUrl)
  if (name && url) {
    throw new ActionError(
      `Inputs '${Inputs.VaultName}' and '${Inputs.VaultUrl}' were both given. Give exactly one: the vault's name (e.g. contoso-kv) or its full URL.`
    )
  }
  if (url) return parseVaultUrl(url)
  if (!name) {
    throw new ActionError(
      `Input '${Inputs.VaultName}' is required (or '${Inputs.VaultUrl}' for the vault's URL). Give the vault's name, e.g. contoso-kv.`
    )
  }
  if (!isVaultName(name)) {
    throw new ActionError(
      `Input '${Inputs.VaultName}' has an invalid vault name ${quote(name)}. A vault name is ${VaultNameRule}.`
    )
  }
  return { url: `https://${name.toLowerCase()}.${cloud.vaultDnsSuffix}`, name, input: Inputs.VaultName }
}

function parseVaultUrl(raw: string): Vault {
  const invalid = (shown: string, why: string): ActionError =>
    new ActionError(
      `Input '${Inputs.VaultUrl}' is not a usable vault URL: ${shown} ${why}. Expected https://<vault-host>, e.g. https://contoso-kv.vault.azure.net.`
    )
  // Never echo a URL that may carry a password, even one that does not parse.
  const shown = raw.includes('@') ? 'the URL (not shown: it contains @, so it may carry a password)' : quote(raw)
  // The URL parser would silently drop tabs and line breaks, reading another host than the one written.
  if (/[\s\p{Cc}]/u.test(raw)) throw invalid(shown, 'contains whitespace or control characters')
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw invalid(shown, 'is not a URL')
  }
  if (url.username || url.password) throw invalid(`the URL for ${quote(url.host)}`, 'carries credentials')
  if (url.protocol !== 'https:') throw invalid(quote(raw), 'does not use https')
  if (url.pathname !== '/' || url.search || url.hash) throw invalid(quote(raw), 'has a path, query or fragment')
  // Checked before the name goes to DNS: the parser takes labels and names of any length.
  if (!isHostName(url.hostname)) throw invalid(quote(url.hostname), 'is not a valid host name')
  // A vault under a cloud's own DNS suffix is named by its first label, as `az --vault-name` expects.
  const underCloudSuffix = Object.values(Clouds).some((cloud) => url.hostname.endsWith(`.${cloud.vaultDnsSuffix}`))
  const name = underCloudSuffix ? (url.hostname.split('.')[0] ?? url.hostname) : url.hostname
  return { url: url.origin, name, input: Inputs.VaultUrl }
}

function readFiles(operation: Operation): FileEntry[] {
  const raw = core.getInput(Inputs.Files)
  if (!raw) return []
  if (operation !== 'get') throw notUsedWith(Inputs.Files, operation, `'${Inputs.Operation}: get'`)
  const entries = parseFilesInput(raw)
  // Before sign-in: a target that is not new and ours is refused without a request.
  checkFileTargets(entries)
  return entries
}

function readTargets(operation: Operation, hasFiles: boolean): { secretName: string; targets: SecretEntry[] } {
  const name = core.getInput(Inputs.SecretName)
  const list = core.getInput(Inputs.Secrets)
  if (operation === 'list') {
    if (name)
      throw new ActionError(
        `Input '${Inputs.SecretName}' is not used with '${Inputs.Operation}: list', which lists every secret. Remove it.`
      )
    if (list)
      throw new ActionError(`Input '${Inputs.Secrets}' is not used with '${Inputs.Operation}: list'. Remove it.`)
    return { secretName: '', targets: [] }
  }
  if (name && list) {
    throw new ActionError(
      `Inputs '${Inputs.SecretName}' and '${Inputs.Secrets}' were both given. Give one secret in '${Inputs.SecretName}' or several in '${Inputs.Secrets}'.`
    )
  }
  if (!list && !name && hasFiles && operation === 'get') return { secretName: '', targets: [] }
  if (!list) {
    const secretName = readSecretName(name)
    return { secretName, targets: operation === 'set' ? [] : [{ text: secretName, name: secretName, isGlob: false }] }
  }
  if (operation === 'set')
    throw new ActionError(
      `Input '${Inputs.Secrets}' is not used with '${Inputs.Operation}: set'; give '${Inputs.SecretName}'.`
    )
  const targets = parseSecretsInput(list)
  if (operation !== 'get') {
    // Whole secrets only: a pattern can never delete or purge more than meant.
    const notExact = targets.find((entry) => entry.isGlob || entry.version !== undefined || entry.alias !== undefined)
    if (notExact) {
      throw new ActionError(
        `Input '${Inputs.Secrets}' has the entry ${quote(notExact.text)}; '${Inputs.Operation}: ${operation}' takes exact secret names only (no globs, versions or aliases).`
      )
    }
  }
  return { secretName: '', targets }
}

function readSecretName(name: string): string {
  if (!name) {
    throw new ActionError(
      `Input '${Inputs.SecretName}' is required (or '${Inputs.Secrets}' for several). Give the name of the secret, ${SecretNameRule}.`
    )
  }
  if (!isSecretName(name)) {
    throw new ActionError(
      `Input '${Inputs.SecretName}' has an invalid secret name ${quote(name)}. A secret name is ${SecretNameRule}.`
    )
  }
  return name
}

interface ServicePrincipalCreds {
  clientId?: string
  clientSecret?: string
  tenantId?: string
}

function readSignInSettings(cloud: Cloud, env: NodeJS.ProcessEnv, minMaskLength: number): SignInSettings {
  const authType = readChoice(Inputs.AuthType, AuthTypes, 'auto')
  const audience = core.getInput(Inputs.Audience) || 'api://AzureADTokenExchange'
  const explicit = {
    clientId: core.getInput(Inputs.ClientId) || undefined,
    tenantId: core.getInput(Inputs.TenantId) || undefined,
    clientSecret: core.getInput(Inputs.ClientSecret) || undefined
  }
  const creds = readCreds(minMaskLength)
  if (creds && (explicit.clientId || explicit.tenantId || explicit.clientSecret)) {
    throw new ActionError(
      `Input '${Inputs.Creds}' was given together with '${Inputs.ClientId}', '${Inputs.TenantId}' or '${Inputs.ClientSecret}'. Use either creds or the separate inputs.`
    )
  }
  const fromEnv = (name: string): string | undefined => env[name]?.trim() || undefined
  const clientId = explicit.clientId ?? creds?.clientId ?? fromEnv(EnvFallbacks.ClientId)
  const tenantId = explicit.tenantId ?? creds?.tenantId ?? fromEnv(EnvFallbacks.TenantId)
  const clientSecret = explicit.clientSecret ?? creds?.clientSecret ?? fromEnv(EnvFallbacks.ClientSecret)

  const source = (input: string, envName: string): string =>
    creds ? `'${Inputs.Creds}'` : core.getInput(input) ? `Input '${input}'` : `Environment variable ${envName}`
  if (clientId && !isGuid(clientId)) {
    throw new ActionError(
      `${source(Inputs.ClientId, EnvFallbacks.ClientId)} has an invalid client ID ${quote(clientId)}. Expected the application (client) ID, a GUID such as 00000000-0000-0000-0000-000000000000.`
    )
  }
  if (tenantId && !isTenant(tenantId)) {
    throw new ActionError(
      `${source(Inputs.TenantId, EnvFallbacks.TenantId)} has an invalid tenant ID ${quote(tenantId)}. Expected the directory (tenant) ID, a GUID, or a tenant domain such as contoso.onmicrosoft.com.`
    )
  }
  return { authType, clientId, tenantId, clientSecret, audience, cloud }
}

/** azure/login's JSON. Its text is never echoed: it holds a client secret. */
function readCreds(minMaskLength: number): ServicePrincipalCreds | undefined {
  const raw = core.getInput(Inputs.Creds)
  if (!raw) return undefined
  const malformed = (why: string): ActionError =>
    new ActionError(
      `Input '${Inputs.Creds}' is malformed: ${why}. Expected JSON like {"clientId": "...", "clientSecret": "...", "tenantId": "..."} (the output of 'az ad sp create-for-rbac --json-auth').`
    )
  let parsed: unknown
  try {
    parsed = JSON.parse(raw)
  } catch {
    throw malformed('it is not valid JSON')
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw malformed('it is not a JSON object')
  const fields = parsed as Record<string, unknown>
  const creds: ServicePrincipalCreds = {}
  for (const key of ['clientId', 'clientSecret', 'tenantId'] as const) {
    const value = fields[key]
    if (value === undefined || value === null || value === '') continue
    if (typeof value !== 'string') throw malformed(`field '${key}' is not a string`)
    creds[key] = value.trim()
  }
  if (!creds.clientId || !creds.tenantId) throw malformed(`fields 'clientId' and 'tenantId' are required`)
  maskValue(creds.clientSecret, minMaskLength)
  return creds
}
