/**
 * The retry policy (src/vault/retries.ts) around a scripted transport, on a clock the test moves:
 * what is retried and what is not, how long each wait is (backoff with full jitter, Retry-After and
 * its cap), when it gives up, the attempt timeout, and what the deadline ends. Each wait is read off
 * the times at which the transport saw the attempts, to the millisecond; nothing sleeps for real.
 */
import { describe, expect, test } from '@jest/globals'
import {
  createHttpHeaders,
  createPipelineRequest,
  RestError,
  type PipelineRequest,
  type PipelineResponse,
  type SendRequest
} from '@azure/core-rest-pipeline'
import fc from 'fast-check'
import { Deadline, RunTimedOut } from '../../src/vault/deadline.js'
import { VaultHealth } from '../../src/vault/health.js'
import { backoffMs, retryPolicy, RetryLimits, type RetryPolicyOptions } from '../../src/vault/retries.js'
import { Throttle } from '../../src/vault/throttle.js'
import { ManualClock, settle } from './clock.js'
import { propertyOptions } from '../support/arbitraries.js'
import { captureStdout } from './helpers.js'

const stdout = captureStdout()

/** What the scripted vault does with one attempt. */
type Answer =
  | number
  | { readonly status: number; readonly headers?: Readonly<Record<string, string>> }
  /** A network failure, as the SDK's transport reports it. */
  | { readonly code: string; readonly message?: string }
  /** Something that is not a RestError (VaultHostNotFoundError, a bug). */
  | { readonly thrown: Error }
  /** No answer: waits until the attempt is aborted. */
  | 'hang'

const ALMOST_ONE = 0.999_999

interface Run {
  readonly clock: ManualClock
  readonly throttle: Throttle
  readonly health: VaultHealth
  /** When each attempt reached the transport. */
  readonly sent: number[]
  /** The waits between one attempt's answer and the next attempt (answers are instant, except 'hang'). */
  gaps(): number[]
  send(request?: PipelineRequest): Promise<PipelineResponse>
}

function scripted(
  answers: readonly Answer[],
  options: { random?: () => number; deadline?: (clock: ManualClock) => Deadline; concurrency?: number } = {}
): Run {
  const clock = new ManualClock()
  const throttle = new Throttle(options.concurrency ?? 32, clock, options.random ?? (() => ALMOST_ONE))
  const health = new VaultHealth()
  const deadline = options.deadline?.(clock)
  const queue = [...answers]
  const sent: number[] = []
  const answered: number[] = []
  const next: SendRequest = (request) => {
    sent.push(clock.now())
    const answer = queue.shift() ?? 200
    if (answer === 'hang') {
      return new Promise((_, reject) => {
        request.abortSignal?.addEventListener(
          'abort',
          () => {
            answered.push(clock.now())
            reject(Object.assign(new Error('The operation was aborted.'), { name: 'AbortError' }))
          },
          { once: true }
        )
      })
    }
    answered.push(clock.now())
    if (typeof answer === 'number') return Promise.resolve(response(request, answer))
    if ('status' in answer) return Promise.resolve(response(request, answer.status, answer.headers))
    if ('thrown' in answer) return Promise.reject(answer.thrown)
    return Promise.reject(new RestError(answer.message ?? `read ${answer.code}`, { code: answer.code, request }))
  }
  const policyOptions: RetryPolicyOptions = {
    throttle,
    health,
    clock,
    random: options.random ?? (() => ALMOST_ONE),
    ...(deadline && { deadline })
  }
  const policy = retryPolicy(policyOptions)
  return {
    clock,
    throttle,
    health,
    sent,
    gaps: () => sent.slice(1).map((time, i) => time - (answered[i] ?? 0)),
    send: (request = vaultRequest(deadline?.signal)) => policy.sendRequest(request, next)
  }
}

function vaultRequest(signal?: AbortSignal): PipelineRequest {
  return createPipelineRequest({
    url: 'https://contoso-kv.vault.azure.net/secrets/db-password/?api-version=2025-07-01',
    ...(signal && { abortSignal: signal })
  })
}

function response(request: PipelineRequest, status: number, headers: Record<string, string> = {}): PipelineResponse {
  return { request, status, headers: createHttpHeaders(headers) }
}

/** Sends one request through the policy, moving the clock until it is answered (or fails). */
async function outcome(run: Run): Promise<{ status?: number; error?: Error }> {
  return run.clock.run(run.send()).then(
    (answer) => ({ status: answer.status }),
    (error: unknown) => ({ error: error as Error })
  )
}

const log = (): string => stdout.text()

describe('throttled: 429, and 503 with Retry-After', () => {
  test('Retry-After in seconds: the next attempt goes exactly that long after the 429, then the answer is returned', async () => {
    const run = scripted([{ status: 429, headers: { 'Retry-After': '2' } }, 200])
    expect(await outcome(run)).toEqual({ status: 200 })
    expect(run.gaps()).toEqual([2000])
    expect(run.health.retries).toBe(1)
    expect(run.health.lastTrouble).toEqual({ status: 429 })
    expect(run.health.gaveUp).toBeUndefined()
    expect(run.throttle.report).toEqual({ throttled: 1, lowestLimit: 16, pausedMs: 2000 })
    expect(log()).toContain(
      'Key Vault is throttling requests (429 Too Many Requests); slowing down: at most 16 in flight, waiting as it asks (Retry-After).'
    )
    expect(log()).toContain('::debug::GET /secrets/db-password/: 429; retry 1 of 10 in 2 s (Retry-After)')
  })

  test.each([
    ['retry-after-ms', { 'retry-after-ms': '250' }, 250],
    ['x-ms-retry-after-ms', { 'x-ms-retry-after-ms': '40' }, 40],
    ['retry-after-ms before Retry-After', { 'retry-after-ms': '250', 'Retry-After': '9' }, 250],
    ['Retry-After: 0', { 'Retry-After': '0' }, 0],
    ['fractional seconds', { 'Retry-After': '1.5' }, 1500],
    ['over the cap: cut to 60 s', { 'Retry-After': '600' }, RetryLimits.retryAfterCapMs]
  ])('%s', async (_, headers, waitMs) => {
    const run = scripted([{ status: 429, headers }, 200])
    expect(await outcome(run)).toEqual({ status: 200 })
    expect(run.gaps()).toEqual([waitMs])
    expect(run.throttle.report.pausedMs).toBe(waitMs)
  })

  test('Retry-After as an HTTP date: waits until then, by the clock of the run', async () => {
    const clock = new ManualClock()
    const at = new Date(clock.now() + 5000).toUTCString()
    const run = scripted([{ status: 429, headers: { 'Retry-After': at } }, 200])
    expect(await outcome(run)).toEqual({ status: 200 })
    expect(run.gaps()).toEqual([5000])
  })

  test('a 503 with Retry-After is throttling: the same pause and the same cut, said as 503', async () => {
    const run = scripted([{ status: 503, headers: { 'Retry-After': '1' } }, 200])
    expect(await outcome(run)).toEqual({ status: 200 })
    expect(run.gaps()).toEqual([1000])
    expect(run.throttle.report.throttled).toBe(1)
    expect(run.throttle.allowed).toBe(16)
    expect(log()).toContain('Key Vault is throttling requests (503 Service Unavailable); slowing down')
  })

  test("without Retry-After (the SDK alone would give up at once): paced to the vault's 10-second window, probing at random points before it ends", async () => {
    // Nothing of the run's own in the window: room opens within 10 s of the first 429 that found it full.
    const run = scripted([429, 429, 429, 200], { random: () => 0.5 })
    expect(await outcome(run)).toEqual({ status: 200 })
    // In the later half of what is left of the window: 3/4 of 10 s, of the 2.5 s left, of the 2 s floor.
    expect(run.gaps()).toEqual([7500, 1875, 1500])
    expect(log()).toContain(
      "pacing to this step's share of the vault's 10-second window (the vault did not say how long to wait)."
    )
    expect(log()).toContain('::debug::GET /secrets/db-password/: 429; retry 1 of 30 in 7.5 s\n')
    expect(run.throttle.report.lowestLimit).toBe(1)
  })

  test('without Retry-After, at least 2 s is drawn from near the end of the window, and a 429 after it starts another', async () => {
    const draws = [0.95, 0.99, 0.5]
    const run = scripted([429, 429, 429, 200], { random: () => draws.shift() ?? 0 })
    expect(await outcome(run)).toEqual({ status: 200 })
    // 9.75 s; then 0.995 of the 2 s floor (0.25 s were left); the next 429 comes after the window: 3/4 of a new one.
    expect(run.gaps()).toEqual([9750, 1990, 7500])
  })

  test('persistent: gives up after 10 retries and returns the last 429 for the SDK to report', async () => {
    const run = scripted(Array.from({ length: 20 }, () => ({ status: 429, headers: { 'retry-after-ms': '50' } })))
    expect(await outcome(run)).toEqual({ status: 429 })
    expect(run.sent).toHaveLength(11)
    expect(run.health.retries).toBe(10)
    expect(run.health.gaveUp).toEqual({ trouble: { status: 429 }, attempts: 11, elapsedMs: 500 })
    // Each attempt was an answer to a request sent after the last cut: halved each time, down to 1.
    expect(run.throttle.report).toMatchObject({ throttled: 11, lowestLimit: 1 })
    // One line for the kind of trouble, however often it came.
    expect(log().match(/Key Vault is throttling requests/g)).toHaveLength(1)
  })

  test('the pause holds back every request of the run, not only the throttled one', async () => {
    const run = scripted([{ status: 429, headers: { 'Retry-After': '3' } }, 200, 200], { concurrency: 4 })
    const first = run.send()
    await settle()
    const second = run.send(vaultRequest())
    await run.clock.run(Promise.all([first, second]))
    // The second request was sent once the pause ended, after the retry that queued ahead of it.
    const [start = 0] = run.sent
    expect(run.sent).toEqual([start, start + 3000, start + 3000])
  })
})

describe('transient: 5xx, 408 and network failures', () => {
  test.each([500, 502, 503, 504, 408])('%s once: retried after a backoff wait, then the answer', async (status) => {
    const run = scripted([status, 200])
    expect(await outcome(run)).toEqual({ status: 200 })
    expect(run.gaps()).toEqual([999])
    expect(run.health.lastTrouble).toEqual({ status })
    // No news about the vault's limits: the throttle neither cuts nor pauses.
    expect(run.throttle.report).toEqual({ throttled: 0, lowestLimit: 32, pausedMs: 0 })
  })

  test.each([
    'ECONNRESET',
    'ECONNREFUSED',
    'ECONNABORTED',
    'ETIMEDOUT',
    'ESOCKETTIMEDOUT',
    'EPIPE',
    'EAI_AGAIN',
    'ENETUNREACH',
    'EHOSTUNREACH'
  ])('%s once: retried', async (code) => {
    const run = scripted([{ code }, 200])
    expect(await outcome(run)).toEqual({ status: 200 })
    expect(run.health.lastTrouble).toEqual({ code })
    expect(log()).toContain(`Key Vault request failed (${code}); retrying with exponential backoff, up to 4 times.`)
  })

  test.each([
    ['socket hang up', { code: 'UNKNOWN', message: 'socket hang up' }],
    ['a body cut off', { code: 'PARSE_ERROR', message: 'Error reading response as text: aborted' }]
  ])('a connection dropped mid-answer (%s) is retried as ECONNRESET', async (_, failure) => {
    const run = scripted([failure, 200])
    expect(await outcome(run)).toEqual({ status: 200 })
    expect(run.health.lastTrouble).toEqual({ code: 'ECONNRESET' })
  })

  test('a 5xx that persists: 4 retries, waits of at most 1 + 2 + 4 + 8 s, then the last answer', async () => {
    const run = scripted(Array.from({ length: 10 }, () => 503))
    expect(await outcome(run)).toEqual({ status: 503 })
    expect(run.sent).toHaveLength(5)
    expect(run.gaps()).toEqual([999, 1999, 3999, 7999])
    expect(run.health.gaveUp).toEqual({ trouble: { status: 503 }, attempts: 5, elapsedMs: 14_996 })
    expect(log()).toContain('::debug::GET /secrets/db-password/: 503 Service Unavailable; retry 4 of 4 in 8 s')
  })

  test('resets that persist: 4 retries, then the error itself is thrown', async () => {
    const run = scripted(Array.from({ length: 10 }, () => ({ code: 'ECONNRESET' })))
    const { error } = await outcome(run)
    expect(error).toBeInstanceOf(RestError)
    expect(error).toMatchObject({ code: 'ECONNRESET', message: 'read ECONNRESET' })
    expect(run.sent).toHaveLength(5)
    expect(run.health.gaveUp).toMatchObject({ trouble: { code: 'ECONNRESET' }, attempts: 5 })
  })

  test('the backoff cap: no transient wait is ever longer than 8 s', () => {
    expect(backoffMs(10, RetryLimits.transient, () => ALMOST_ONE)).toBe(7999)
  })

  test('full jitter: every wait is a whole number in [0, min(cap, base * 2^retry))', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 30 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.constant(RetryLimits.transient),
        (retry, draw, limits) => {
          const wait = backoffMs(retry, limits, () => draw)
          return Number.isInteger(wait) && wait >= 0 && wait < Math.min(limits.capMs, limits.baseMs * 2 ** retry)
        }
      ),
      // fast-check's own default number of runs.
      propertyOptions(100)
    )
  })

  test('throttled and transient retries have budgets of their own', async () => {
    // 4 transient retries and 10 throttled ones are all allowed in one request.
    const run = scripted([503, 503, 503, 503, ...Array.from({ length: 10 }, () => 429), 200])
    expect(await outcome(run)).toEqual({ status: 200 })
    expect(run.sent).toHaveLength(15)
    expect(run.health.retries).toBe(14)
    expect(run.health.gaveUp).toBeUndefined()
  })
})

describe('final answers are not retried', () => {
  test.each([200, 201, 204, 400, 401, 403, 404, 409, 501, 505])('%s: returned at once', async (status) => {
    const run = scripted([status, 200])
    expect(await outcome(run)).toEqual({ status })
    expect(run.sent).toHaveLength(1)
    expect(run.health.retries).toBe(0)
    expect(log()).toBe('')
  })

  test('an error that is not a RestError (the vault host does not resolve) is thrown at once', async () => {
    const notFound = new Error('The vault host contoso-kv.vault.azure.net does not resolve')
    const run = scripted([{ thrown: notFound }])
    expect(await outcome(run)).toEqual({ error: notFound })
    expect(run.sent).toHaveLength(1)
  })

  test('a RestError that is no network failure (a TLS failure) is thrown at once', async () => {
    const run = scripted([
      { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', message: 'unable to verify the first certificate' }
    ])
    expect((await outcome(run)).error).toMatchObject({ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' })
    expect(run.sent).toHaveLength(1)
    expect(run.health.lastTrouble).toBeUndefined()
  })
})

describe('the attempt timeout', () => {
  test('an attempt with no answer is abandoned after a third of `timeout` and retried as ETIMEDOUT', async () => {
    const run = scripted(['hang', 200], { deadline: (clock) => new Deadline(6, clock), random: () => 0 })
    expect(await outcome(run)).toEqual({ status: 200 })
    const [start = 0] = run.sent
    expect(run.sent).toEqual([start, start + 2000])
    expect(run.health.lastTrouble).toEqual({ code: 'ETIMEDOUT', detail: 'no answer within 2 s' })
    expect(log()).toContain('Key Vault request failed (ETIMEDOUT (no answer within 2 s)); retrying')
  })

  test('at most 30 s, however long `timeout` is; without a deadline too', async () => {
    for (const deadline of [(clock: ManualClock) => new Deadline(300, clock), undefined]) {
      const run = scripted(['hang', 200], { random: () => 0, ...(deadline && { deadline }) })
      expect(await outcome(run)).toEqual({ status: 200 })
      expect((run.sent[1] ?? 0) - (run.sent[0] ?? 0)).toBe(RetryLimits.attemptTimeoutMs)
    }
  })

  test('an answer in time is waited for and not retried; its timer is cancelled', async () => {
    const run = scripted([200], { deadline: (clock) => new Deadline(6, clock) })
    expect(await outcome(run)).toEqual({ status: 200 })
    // Only the deadline's own timer is left.
    expect(run.clock.pending()).toEqual([{ inMs: 6000, unref: true }])
  })
})

describe('the deadline', () => {
  test('ends a wait between retries with RunTimedOut; the request is not counted as given up', async () => {
    const run = scripted(
      Array.from({ length: 10 }, () => 503),
      { deadline: (clock) => new Deadline(3, clock) }
    )
    const { error } = await outcome(run)
    expect(error).toBeInstanceOf(RunTimedOut)
    expect(error?.message).toBe('The step did not finish within 3 s')
    // 0, 0.999 and 2.998 s; the third wait (4 s) is cut short at 3 s.
    expect(run.sent.map((t) => t - (run.sent[0] ?? 0))).toEqual([0, 999, 2998])
    expect(run.health.gaveUp).toBeUndefined()
    expect(run.health.lastTrouble).toEqual({ status: 503 })
  })

  test('ends a hanging attempt: the abort is the deadline, not an attempt timeout to retry', async () => {
    const run = scripted(['hang', 'hang', 'hang', 'hang'], {
      deadline: (clock) => new Deadline(3, clock),
      random: () => 0
    })
    const { error } = await outcome(run)
    expect(error?.name).toBe('AbortError')
    // Abandoned at 1 s and 2 s (a third of 3 s each); the third attempt ends with the run at 3 s.
    expect(run.sent.map((t) => t - (run.sent[0] ?? 0))).toEqual([0, 1000, 2000])
    expect(run.health.lastTrouble).toEqual({ code: 'ETIMEDOUT', detail: 'no answer within 1 s' })
    expect(run.health.unanswered).toBe(0)
  })

  test('a request waiting out a pause is let go when the run stops (another request failed)', async () => {
    const run = scripted([{ status: 429, headers: { 'Retry-After': '30' } }])
    const request = vaultRequest()
    const controller = new AbortController()
    request.abortSignal = controller.signal
    const sending = run.send(request)
    await settle()
    await run.clock.advance(1000)
    controller.abort(new Error('The step stopped after a failure'))
    await expect(sending).rejects.toThrow('The step stopped after a failure')
    expect(run.sent).toHaveLength(1)
    // Nothing is left waiting that would keep the failed step alive.
    expect(run.clock.pending()).toEqual([])
  })
})
