import { isRestError } from '@azure/core-rest-pipeline'

/**
 * What Key Vault said when it refused a request, read from the error body the SDK parsed
 * (`RestError.details`), not from the message: the SDK's message is the service's `message` only,
 * and never holds the inner error code that tells a firewall refusal from a missing role.
 */
export interface VaultRefusal {
  readonly status?: number
  /** The top-level code: `Forbidden`, `Conflict`, `SecretNotFound`, ... */
  readonly code?: string
  /** The inner error codes, outermost first: `ForbiddenByRbac`, `ObjectIsBeingDeleted`, ... */
  readonly innerCodes: readonly string[]
  readonly message: string
}

interface ParsedError {
  readonly code?: unknown
  readonly message?: unknown
  readonly innerError?: ParsedError
}

/** The one way the action reads a refusal: a status only from a RestError (the SDK's), the rest from its parsed body. */
export function refusalOf(error: unknown): VaultRefusal {
  const err = (typeof error === 'object' && error !== null ? error : {}) as {
    statusCode?: number
    code?: string
    message?: string
    details?: { error?: ParsedError }
  }
  const innerCodes: string[] = []
  // The body is the service's (or whoever answered): bounded walk, strings only.
  for (let inner = err.details?.error?.innerError; inner && innerCodes.length < 5; inner = inner.innerError) {
    if (typeof inner.code === 'string') innerCodes.push(inner.code)
  }
  return {
    status: isRestError(error) ? err.statusCode : undefined,
    code: err.code,
    innerCodes,
    message: err.message ?? ''
  }
}

interface ConditionRule {
  readonly status: number
  /** The inner code the service sends; none for conditions it reports by message only. */
  readonly innerCode?: string
  /** Recognises the condition by its message when the body carries no inner code. */
  readonly message: RegExp
}

/**
 * The refusals the action has advice for, each by the inner code Key Vault sends and, as a
 * fallback for answers without one, by its message (as worded in the recordings in
 * __tests__/fixtures/recorded).
 */
export const VaultConditions = {
  secretDisabled: { status: 403, innerCode: 'SecretDisabled', message: /not allowed on a disabled secret/i },
  // Worded "a expired secret" (Azure/AzureKeyVault issue 19); the service has also been seen to return expired secrets.
  secretExpired: { status: 403, innerCode: 'SecretExpired', message: /not allowed on an? expired secret/i },
  forbiddenByRbac: { status: 403, innerCode: 'ForbiddenByRbac', message: /not authorized to perform action/i },
  accessDenied: { status: 403, innerCode: 'AccessDenied', message: /does not have secrets \w+ permission/i },
  forbiddenByFirewall: { status: 403, innerCode: 'ForbiddenByFirewall', message: /client address is not authorized/i },
  forbiddenByConnection: {
    status: 403,
    innerCode: 'ForbiddenByConnection',
    message: /public network access is disabled/i
  },
  // The service sends this one without an inner code.
  purgeProtected: { status: 403, message: /purge protection is enabled/i },
  deletedButRecoverable: {
    status: 409,
    innerCode: 'ObjectIsDeletedButRecoverable',
    message: /deleted but recoverable/i
  },
  beingDeleted: { status: 409, innerCode: 'ObjectIsBeingDeleted', message: /is currently being deleted/i },
  beingRecovered: { status: 409, innerCode: 'ObjectIsBeingRecovered', message: /is currently being recovered/i }
} as const satisfies Record<string, ConditionRule>

export type VaultCondition = keyof typeof VaultConditions

/**
 * Which known condition the refusal is. An answer with an inner code is matched by that code
 * only; the message decides only when the service sent no inner code.
 */
export function conditionOf(error: unknown): VaultCondition | undefined {
  const refusal = refusalOf(error)
  const rules = Object.entries(VaultConditions) as [VaultCondition, ConditionRule][]
  const sameStatus = rules.filter(([, rule]) => rule.status === refusal.status)
  if (refusal.innerCodes.length > 0) {
    return sameStatus.find(
      ([, rule]) => rule.innerCode !== undefined && refusal.innerCodes.includes(rule.innerCode)
    )?.[0]
  }
  return sameStatus.find(([, rule]) => rule.message.test(refusal.message))?.[0]
}

export const isCondition = (error: unknown, ...conditions: VaultCondition[]): boolean => {
  const found = conditionOf(error)
  return found !== undefined && conditions.includes(found)
}

/** Who the vault says asked, from its 403 message (`Caller: appid=...;oid=...`, or `'appid=...;oid=...'`). */
export interface Caller {
  readonly appid?: string
  readonly oid: string
  /** The vault's resource ID, when the message names the resource (RBAC's `Resource: '...'`). */
  readonly vaultScope?: string
}

// The first-party apps a user signs in through: their appid names the tool, the oid the user.
const UserClientApps: ReadonlySet<string> = new Set([
  '04b07795-8ddb-461a-bbee-02f9e1bf7b46', // Azure CLI
  '1950a258-227b-4e31-a9cf-717495945fc2' // Azure PowerShell
])

const Guid = '[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}'

/** The caller a 403 names, or undefined when its message names none. */
export function callerOf(message: string): Caller | undefined {
  const match = new RegExp(`appid=(${Guid});oid=(${Guid})`).exec(message)
  if (!match) return undefined
  const [, appid = '', oid = ''] = match
  const scope =
    /Resource: '(\/subscriptions\/[0-9A-Za-z-]+\/resourcegroups\/[-\w.()]+\/providers\/microsoft\.keyvault\/vaults\/[0-9A-Za-z-]+)/i.exec(
      message
    )?.[1]
  return { ...(UserClientApps.has(appid.toLowerCase()) ? {} : { appid }), oid, ...(scope && { vaultScope: scope }) }
}
