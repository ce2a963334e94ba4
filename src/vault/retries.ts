import * as core from '@actions/core'
import {
  isRestError,
  RestError,
  type PipelinePolicy,
  type PipelineRequest,
  type PipelineResponse,
  type SendRequest
} from '@azure/core-rest-pipeline'
import { asError, sleepUnless, SystemClock, type Clock, type Deadline } from './deadline.js'
import type { Slot, Throttle } from './throttle.js'
import { formatSeconds } from '../text.js'
import { describeTrouble, type Trouble, type VaultHealth } from './health.js'

/**
 * Retries of requests to the vault, in one place. The SDK's own retry policy is switched off
 * (retryOptions.maxRetries 0): it gives up at once on a 429 without Retry-After, which the service
 * has been seen to send, and its retries would multiply with these.
 *
 * - 429, and 503 with Retry-After: throttling. Wait as the vault asks (Retry-After, retry-after-ms);
 *   the wait pauses every request of the run, not just this one, and the Throttle sends fewer at
 *   once afterwards. When it does not say (Key Vault's usual 429), the Throttle paces the run to
 *   its share of the vault's 10-second window (see throttle.ts).
 * - Other 5xx (not 501/505), 408, a reset or refused connection, a request with no answer within
 *   the attempt timeout: transient. Back off exponentially with full jitter.
 * - ENOTFOUND is not retried (see client.ts): a typo'd vault name does not start resolving.
 */
export const RetryLimits = {
  /** 429 and 503 with Retry-After: retries of one request. */
  throttled: { retries: 10 },
  /**
   * 429 without Retry-After: the Throttle paces the run to the vault's 10-second window, probing a
   * few times a window when it has no share there; this many tries is minutes of a full vault.
   */
  throttledUnsaid: { retries: 30 },
  /** 5xx, 408 and network failures: at most 1 + 2 + 4 + 8 = 15 s of waiting before giving up. */
  transient: { retries: 4, baseMs: 1000, capMs: 8000 },
  /** A Retry-After longer than this is cut short; the `timeout` input bounds the run anyway. */
  retryAfterCapMs: 60_000,
  /** An attempt with no answer after this long (or a third of `timeout`, if less) is abandoned and retried. */
  attemptTimeoutMs: 30_000
} as const

type Verdict =
  | { readonly kind: 'final' }
  | { readonly kind: 'throttled'; readonly retryAfterMs?: number }
  | { readonly kind: 'transient'; readonly trouble: Trouble }

const RetriedNetworkCodes = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH'
])

function classify(response: PipelineResponse | undefined, error: unknown, now: number): Verdict {
  if (error !== undefined) {
    if (!isRestError(error)) return { kind: 'final' }
    const code = error.code ?? ''
    if (attemptTimeouts.has(error)) return { kind: 'transient', trouble: { code, detail: error.message } }
    // A connection dropped mid-answer surfaces as a failed read of the body.
    if (
      RetriedNetworkCodes.has(code) ||
      /socket hang up/i.test(error.message) ||
      /^Error reading response/.test(error.message)
    ) {
      return { kind: 'transient', trouble: { code: RetriedNetworkCodes.has(code) ? code : 'ECONNRESET' } }
    }
    return { kind: 'final' }
  }
  const status = response?.status ?? 0
  const retryAfterMs = response ? retryAfterOf(response, now) : undefined
  if (status === 429 || (status === 503 && retryAfterMs !== undefined)) return { kind: 'throttled', retryAfterMs }
  if (status === 408 || (status >= 500 && status !== 501 && status !== 505))
    return { kind: 'transient', trouble: { status } }
  return { kind: 'final' }
}

/** Retry-After (seconds or an HTTP date), retry-after-ms or x-ms-retry-after-ms, in ms. */
export function retryAfterOf(response: PipelineResponse, now = Date.now()): number | undefined {
  for (const header of ['retry-after-ms', 'x-ms-retry-after-ms']) {
    const value = Number(response.headers.get(header))
    if (response.headers.has(header) && Number.isFinite(value) && value >= 0) return value
  }
  const raw = response.headers.get('retry-after')?.trim()
  if (!raw) return undefined
  if (/^\d+(\.\d+)?$/.test(raw)) return Number(raw) * 1000
  const date = Date.parse(raw)
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined
}

/** Exponential backoff with full jitter: uniform in [0, min(cap, base * 2^retry)). */
export function backoffMs(
  retry: number,
  limits: { readonly baseMs: number; readonly capMs: number },
  random: () => number = Math.random
): number {
  return Math.floor(random() * Math.min(limits.capMs, limits.baseMs * 2 ** retry))
}

export interface RetryPolicyOptions {
  readonly throttle: Throttle
  readonly health: VaultHealth
  readonly deadline?: Deadline
  /** Draws the jitter of each backoff, in [0, 1). Default Math.random. */
  readonly random?: () => number
  /** Times the waits between retries and each attempt, and reads Retry-After dates. Default SystemClock. */
  readonly clock?: Clock
}

/**
 * The policy, added `perRetry` (after the SDK's retry and sign phases, next to the transport).
 * So it sits inside the Key Vault challenge policy: it repeats exactly the request that policy
 * prepared (the bodyless challenge request included), and a token is fetched once, not per retry.
 */
export function retryPolicy(options: RetryPolicyOptions): PipelinePolicy {
  const { throttle, health, deadline } = options
  const random = options.random ?? Math.random
  const clock = options.clock ?? SystemClock
  const attemptTimeoutMs = Math.min(RetryLimits.attemptTimeoutMs, deadline ? (deadline.seconds * 1000) / 3 : Infinity)
  return {
    name: 'keyvaultSecretsActionRetry',
    async sendRequest(request, next) {
      const started = clock.now()
      // A real AbortSignal: wrapAbortSignalLikePolicy ran first, and the deadline policy set it.
      const signal = request.abortSignal as AbortSignal | undefined
      const retried: Retried = { throttled: 0, transient: 0 }
      for (let attempt = 1; ; attempt++) {
        const slot = await throttle.acquire(signal, attempt > 1)
        health.unanswered += 1
        const { response, error } = await sendOnce(request, next, attemptTimeoutMs, clock)
        health.unanswered -= 1
        const verdict = classify(response, error, clock.now())
        if (verdict.kind === 'final') {
          if (error !== undefined) {
            throttle.failed(slot)
            throw error
          }
          throttle.succeeded(slot)
          return response as PipelineResponse
        }
        const retry = { request, slot, retried, throttle, health, random }
        const decision =
          verdict.kind === 'throttled' ? afterThrottled(retry, response, verdict) : afterTransient(retry, verdict)
        if (decision.giveUp) {
          health.gaveUp = { trouble: decision.giveUp, attempts: attempt, elapsedMs: clock.now() - started }
          if (error !== undefined) throw error
          return response as PipelineResponse
        }
        // After a throttled answer, the next acquire waits out the pause it started, with every other request.
        if (verdict.kind !== 'throttled') await sleepUnless(decision.waitMs, signal, clock)
      }
    }
  }
}

/** How many times one request has been retried, by kind of trouble. */
interface Retried {
  throttled: number
  transient: number
}

/** What deciding a retry needs: the request, its throttle slot, and the run's throttle and health. */
interface RetryContext {
  readonly request: PipelineRequest
  readonly slot: Slot
  readonly retried: Retried
  readonly throttle: Throttle
  readonly health: VaultHealth
  readonly random: () => number
}

type RetryDecision = { readonly giveUp: Trouble } | { readonly giveUp?: undefined; readonly waitMs: number }

/** A 429 (or 503 with Retry-After): wait as asked, or back off; every request slows down with it. */
function afterThrottled(
  { request, slot, retried, throttle, health }: RetryContext,
  response: PipelineResponse | undefined,
  verdict: { readonly retryAfterMs?: number }
): RetryDecision {
  const status = response?.status ?? 429
  health.lastTrouble = { status }
  const asked = verdict.retryAfterMs !== undefined
  let waitMs: number
  if (verdict.retryAfterMs !== undefined) {
    waitMs = Math.min(verdict.retryAfterMs, RetryLimits.retryAfterCapMs)
    throttle.throttled(slot, waitMs)
  } else waitMs = throttle.throttledUnsaid(slot)
  const allowed = asked ? RetryLimits.throttled.retries : RetryLimits.throttledUnsaid.retries
  if (retried.throttled >= allowed) return { giveUp: { status } }
  retried.throttled += 1
  health.retries += 1
  health.tellOnce(
    'throttled',
    `Key Vault is throttling requests (${describeTrouble({ status })}); slowing down: at most ${throttle.allowed} in flight, ${asked ? 'waiting as it asks (Retry-After).' : "pacing to this step's share of the vault's 10-second window (the vault did not say how long to wait)."}`
  )
  core.debug(
    `${describe(request)}: ${status}; retry ${retried.throttled} of ${allowed} in ${formatSeconds(waitMs)}${asked ? ' (Retry-After)' : ''}`
  )
  return { waitMs }
}

/** A transient failure (a 5xx, a dropped connection, an attempt timed out): exponential backoff. */
function afterTransient(
  { request, slot, retried, throttle, health, random }: RetryContext,
  verdict: { readonly trouble: Trouble }
): RetryDecision {
  throttle.failed(slot)
  health.lastTrouble = verdict.trouble
  if (retried.transient >= RetryLimits.transient.retries) return { giveUp: verdict.trouble }
  const waitMs = backoffMs(retried.transient, RetryLimits.transient, random)
  retried.transient += 1
  health.retries += 1
  const what = describeTrouble(verdict.trouble)
  health.tellOnce(
    `transient ${what}`,
    `Key Vault request failed (${what}); retrying with exponential backoff, up to ${RetryLimits.transient.retries} times.`
  )
  core.debug(
    `${describe(request)}: ${what}; retry ${retried.transient} of ${RetryLimits.transient.retries} in ${formatSeconds(waitMs)}`
  )
  return { waitMs }
}

/**
 * Errors for attempts abandoned after the attempt timeout: retried like a connection that timed
 * out. (RestError resets its prototype, so a subclass could not be told apart by instanceof.)
 */
const attemptTimeouts = new WeakSet<object>()

function attemptTimeout(timeoutMs: number, request: PipelineRequest): RestError {
  const error = new RestError(`no answer within ${formatSeconds(timeoutMs)}`, { code: 'ETIMEDOUT', request })
  attemptTimeouts.add(error)
  return error
}

/** One attempt, abandoned after `timeoutMs` without an answer; the caller's signal (the deadline) still aborts it. */
async function sendOnce(
  request: PipelineRequest,
  next: SendRequest,
  timeoutMs: number,
  clock: Clock
): Promise<{ response?: PipelineResponse; error?: Error }> {
  const outer = request.abortSignal as AbortSignal | undefined
  const attempt = new AbortController()
  const onOuterAbort = (): void => attempt.abort(outer?.reason)
  if (outer?.aborted) attempt.abort(outer.reason)
  outer?.addEventListener('abort', onOuterAbort, { once: true })
  let timedOut = false
  const cancelTimer = clock.schedule(timeoutMs, () => {
    timedOut = true
    attempt.abort()
  })
  request.abortSignal = attempt.signal
  try {
    return { response: await next(request) }
  } catch (error) {
    return { error: timedOut && !outer?.aborted ? attemptTimeout(timeoutMs, request) : asError(error) }
  } finally {
    cancelTimer()
    outer?.removeEventListener('abort', onOuterAbort)
    request.abortSignal = outer
  }
}

/** `GET /secrets/db-password/`: no host, no query. */
function describe(request: PipelineRequest): string {
  return `${request.method} ${new URL(request.url).pathname}`
}
