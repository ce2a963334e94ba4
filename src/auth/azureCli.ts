import * as core from '@actions/core'
import { execFile } from 'node:child_process'
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity'
import { DeferredCredential } from './identity.js'

/**
 * The Azure CLI session an earlier step (azure/login) left, through @azure/identity's
 * AzureCliCredential, with what that credential leaves out:
 * - a managed identity's session: az refuses `--tenant` for it ("Tenant shouldn't be specified
 *   for managed identity account"), while the vault's challenge always names its tenant; the token
 *   is asked for again without one, as az holds the session;
 * - a failure: the credential replaces az's own words with "Please run 'az login' from a command
 *   prompt" whenever they mention az login, so az is asked again, once, for its first ERROR line
 *   (with its AADSTS code) and for the session's tenant, and the failure says what to do in a
 *   workflow;
 * - whom the session signed in as, from the token's claims (never the token), for the log.
 */
export class AzureCliSession implements TokenCredential {
  private readonly withTenant: TokenCredential
  private readonly withoutTenant: TokenCredential
  private told = false
  /** Set once az has refused a tenant for this session: every later token is asked for without one. */
  private managedIdentity = false

  constructor(
    tenantId: string | undefined,
    private readonly az: AzRunner = runAz
  ) {
    this.withTenant = new DeferredCredential((identity) => new identity.AzureCliCredential({ tenantId }))
    this.withoutTenant = new DeferredCredential((identity) => new identity.AzureCliCredential())
  }

  async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
    let token: AccessToken | null
    try {
      token = await (this.managedIdentity ? this.withoutTenant : this.withTenant).getToken(
        scopes,
        this.managedIdentity ? { ...options, tenantId: undefined } : options
      )
    } catch (error) {
      if (this.managedIdentity || !isManagedIdentityTenantRefusal(error))
        throw await this.explained(error, scopes, options?.tenantId)
      this.managedIdentity = true
      core.info(
        "The Azure CLI session is a managed identity's, which az gives tokens without naming a tenant: asking it again that way."
      )
      token = await this.withoutTenant
        .getToken(scopes, { ...options, tenantId: undefined })
        .catch(async (retried: unknown) => {
          throw await this.explained(retried, scopes, undefined)
        })
    }
    if (token && !this.told) {
      this.told = true
      core.info(`The Azure CLI session signed in as ${describeClaims(claimsOf(token.token))}.`)
    }
    return token
  }

  /** The credential's error, with az's own words and the session's tenant. */
  private async explained(
    error: unknown,
    scopes: string | string[],
    tenantAsked: string | undefined
  ): Promise<AzureCliFailure> {
    const message = (error as Error | undefined)?.message ?? String(error)
    if (/Azure CLI could not be found/.test(message)) return new AzureCliFailure({ kind: 'not-installed', tenantAsked })
    const resource = (Array.isArray(scopes) ? (scopes[0] ?? '') : scopes).replace(/\/\.default$/, '')
    const tokenArgs = ['account', 'get-access-token', '--output', 'json', '--resource', resource]
    // The credential's own text when it kept az's; else az asked again, for its words.
    const azError =
      firstAzError(message) ??
      firstAzError(
        (await this.az(tenantAsked && isSafeArg(tenantAsked) ? [...tokenArgs, '--tenant', tenantAsked] : tokenArgs))
          .stderr
      )
    const account = await this.az(['account', 'show', '--output', 'json'])
    const sessionTenant = account.exitCode === 0 ? tenantOfAccount(account.stdout) : undefined
    return new AzureCliFailure({
      kind: failureKind(azError, account.exitCode === 0, sessionTenant, tenantAsked),
      azError,
      sessionTenant,
      tenantAsked
    })
  }
}

/** What went wrong with the CLI session, as a workflow author fixes it. */
export type AzureCliFailureKind = 'not-installed' | 'no-session' | 'expired-assertion' | 'other-tenant' | 'other'

/**
 * Named as @azure/identity names an unavailable credential, so that with `auth-type: auto` the
 * chain goes on to the next method; failures/ explains it by its fields.
 */
export class AzureCliFailure extends Error {
  override readonly name = 'CredentialUnavailableError'
  readonly kind: AzureCliFailureKind
  /** az's first `ERROR:` line, as az printed it (failures/ quotes it through serviceText). */
  readonly azError?: string
  /** The AADSTS code in az's words, if any. */
  readonly code?: string
  readonly sessionTenant?: string
  /** The tenant the token was asked for: the vault's, as its challenge names it. */
  readonly tenantAsked?: string

  constructor(fields: {
    readonly kind: AzureCliFailureKind
    readonly azError?: string
    readonly sessionTenant?: string
    readonly tenantAsked?: string
  }) {
    super(`Azure CLI: ${fields.azError ?? fields.kind}`)
    this.kind = fields.kind
    this.azError = fields.azError
    this.code = /AADSTS(\d+)/.exec(fields.azError ?? '')?.[1]
    this.sessionTenant = fields.sessionTenant
    this.tenantAsked = fields.tenantAsked
  }
}

function failureKind(
  azError: string | undefined,
  hasSession: boolean,
  sessionTenant: string | undefined,
  tenantAsked: string | undefined
): AzureCliFailureKind {
  const code = /AADSTS(\d+)/.exec(azError ?? '')?.[1]
  if (code === '700024') return 'expired-assertion'
  if (!hasSession) return 'no-session'
  if (code === '700016' || code === '90002') return 'other-tenant'
  if (sessionTenant && tenantAsked && sessionTenant.toLowerCase() !== tenantAsked.toLowerCase()) return 'other-tenant'
  return 'other'
}

const isManagedIdentityTenantRefusal = (error: unknown): boolean =>
  /Tenant shouldn't be specified for managed identity account/i.test((error as Error | undefined)?.message ?? '')

/** az's first `ERROR:` line, without the prefix; undefined when it printed none. */
export function firstAzError(text: string): string | undefined {
  const line = /^ERROR: *(.*)$/m.exec(text)?.[1]?.trim()
  return line || undefined
}

/** A tenant as an argument: a GUID or a domain, nothing a shell (az.cmd runs in one) reads. */
const isSafeArg = (value: string): boolean => /^[A-Za-z0-9.-]{1,253}$/.test(value)

function tenantOfAccount(stdout: string): string | undefined {
  try {
    const tenant = (JSON.parse(stdout) as { tenantId?: unknown }).tenantId
    return typeof tenant === 'string' && isSafeArg(tenant) ? tenant : undefined
  } catch {
    return undefined
  }
}

/** The claims that say who a token is for; read from the token's payload, never logged whole. */
export interface TokenClaims {
  readonly appid?: string
  readonly oid?: string
  readonly tid?: string
  readonly upn?: string
}

export function claimsOf(token: string): TokenClaims {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >
    const text = (value: unknown): string | undefined =>
      typeof value === 'string' && /^[\w.@-]{1,128}$/.test(value) ? value : undefined
    return {
      appid: text(payload['appid'] ?? payload['azp']),
      oid: text(payload['oid']),
      tid: text(payload['tid']),
      upn: text(payload['upn'] ?? payload['unique_name'])
    }
  } catch {
    return {}
  }
}

/** `app 2222… (object 9f3c…) in tenant 1111…`, or `user ann@contoso.com in tenant …`. */
export function describeClaims(claims: TokenClaims): string {
  const tenant = claims.tid ? ` in tenant ${claims.tid}` : ''
  if (claims.upn) return `user ${claims.upn}${tenant}`
  if (claims.appid) return `app ${claims.appid}${claims.oid ? ` (object ${claims.oid})` : ''}${tenant}`
  return `an identity the token does not name${tenant}`
}

/** How the diagnosis runs az: its exit code and what it printed. */
export type AzRunner = (args: readonly string[]) => Promise<{ exitCode: number; stdout: string; stderr: string }>

/** az as @azure/identity runs it: through the shell on Windows (az.cmd), with a time limit. */
const runAz: AzRunner = (args) =>
  new Promise((resolve) => {
    const windows = process.platform === 'win32'
    execFile(
      'az',
      [...args],
      { encoding: 'utf8', timeout: 20_000, windowsHide: true, shell: windows, maxBuffer: 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = (error as { code?: unknown } | null)?.code
        resolve({ exitCode: error ? (typeof code === 'number' ? code : 1) : 0, stdout, stderr })
      }
    )
  })
