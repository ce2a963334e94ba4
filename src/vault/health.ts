import * as core from '@actions/core'

/** Why a request was retried, or why it failed in the end. */
export interface Trouble {
  /** The HTTP status the vault answered; absent for a network failure. */
  readonly status?: number
  /** The network error code: ECONNRESET, ..., or ETIMEDOUT for an attempt that got no answer in time. */
  readonly code?: string
  readonly detail?: string
}

/** What the run saw of the vault's health, for the summary line and the error message. */
export class VaultHealth {
  /** Retries made, of every kind. */
  retries = 0
  /** The last answer that was throttling, a server error or a network failure. */
  lastTrouble: Trouble | undefined
  /** Requests sent and not yet answered. */
  unanswered = 0
  /** The request that ran out of retries, when one did. */
  gaveUp: { readonly trouble: Trouble; readonly attempts: number; readonly elapsedMs: number } | undefined
  private told = new Set<string>()

  /** Logs a line the first time each kind of trouble is met, so a slow step says why. */
  tellOnce(kind: string, line: string): void {
    if (this.told.has(kind)) return
    this.told.add(kind)
    core.info(line)
  }
}

const StatusTexts: Readonly<Record<number, string>> = {
  408: 'Request Timeout',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout'
}

/** `503 Service Unavailable`, `ECONNRESET`, `ETIMEDOUT (no answer within 10 s)`. */
export function describeTrouble(trouble: Trouble): string {
  if (trouble.status !== undefined)
    return `${trouble.status}${StatusTexts[trouble.status] ? ` ${StatusTexts[trouble.status]}` : ''}`
  return `${trouble.code ?? 'a network error'}${trouble.detail ? ` (${trouble.detail})` : ''}`
}
