/**
 * End-to-end: faults of Key Vault, Microsoft Entra ID and the network, injected by the stand-in,
 * against the committed action run as the runner runs it (real Azure SDK, nothing mocked).
 *
 * Each test asserts exact outcomes: exit code, outputs, the requests the stand-in saw and their
 * answers, the error text. Times are asserted only as lower bounds the action must respect (a
 * Retry-After honoured) or as generous upper bounds ("ended in bounded time").
 */
import { describe, expect, it, jest } from '@jest/globals'
import { assertNoLeak, type RunOptions, type RunResult } from '../support/runner.js'
import { ThrottledMessage, type FaultRequest, type RequestRecord } from '../support/standin/index.js'
import { expectFailure as expectOneFailure } from '../support/steps.js'
import { useStandIn } from '../support/world.js'

jest.setTimeout(90_000)

const TENANT = '3c2b1a09-8f7e-4d6c-9b5a-4e3d2c1b0a99'
const APP = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d'
const VAULT = 'faults-kv'
const VALUE = 'Fault-Tolerant-V@lue-42'

const { s, step, vault } = useStandIn({
  vault: {
    name: VAULT,
    tenantId: TENANT,
    clientId: APP,
    grants: ['get', 'list', 'delete'],
    secrets: { 'db-password': VALUE }
  }
})

/** A get of db-password, unless `inputs` say otherwise. */
const run = (
  inputs: Record<string, string> = {},
  options?: Omit<RunOptions, 'inputs' | 'standin'>
): Promise<RunResult> => step({ 'secret-name': 'db-password', ...inputs }, options)

/** Authenticated reads of the secret: the requests a fault should hit (not the bodyless challenge). */
const readOfSecret = (r: FaultRequest): boolean =>
  r.service === 'vault' &&
  r.method === 'GET' &&
  r.path.startsWith('/secrets/db-password') &&
  r.headers.authorization !== undefined
const tokenRequest = (r: FaultRequest): boolean =>
  r.service === 'entra' && r.method === 'POST' && r.path.endsWith('/oauth2/v2.0/token')

const throttledBody = { error: { code: 'Throttled', message: ThrottledMessage } }
const unavailableBody = {
  error: { code: 'ServiceUnavailable', message: 'The service is temporarily unavailable. Please try again later.' }
}

/** `GET 429*`: method, status, and * for an answer from a fault. */
const vaultCalls = (): string[] => s.requestsTo('vault').map((r) => `${r.method} ${r.status}${r.fault ? '*' : ''}`)
const authorizedReads = (): RequestRecord[] => s.requestsTo('vault', 'GET').filter((r) => r.authorized || r.fault)

function expectValue(r: RunResult): void {
  expect({ exitCode: r.exitCode, errors: r.errors }).toEqual({ exitCode: 0, errors: [] })
  expect(r.outputs.value).toBe(VALUE)
  assertNoLeak(r, [VALUE])
}

/** steps.ts's expectFailure, and the value in no log. */
function expectFailure(r: RunResult, ...phrases: string[]): string {
  const error = expectOneFailure(r, ...phrases)
  assertNoLeak(r, [VALUE])
  return error
}

/** Milliseconds between an answer and the arrival of the next request. */
const gapsAfter = (records: readonly RequestRecord[]): number[] =>
  records.slice(1).map((r, i) => r.arrived - (records[i] as RequestRecord).time)

describe('Key Vault throttles a request (429), then answers', () => {
  it('with Retry-After: waits as asked, then succeeds', async () => {
    s.faults.push({ match: readOfSecret, status: 429, headers: { 'Retry-After': '1' }, body: throttledBody, times: 1 })
    const r = await run()
    expectValue(r)
    expect(vaultCalls()).toEqual(['GET 401', 'GET 429*', 'GET 200'])
    const [waited = 0] = gapsAfter(authorizedReads())
    expect(waited).toBeGreaterThanOrEqual(950)
    expect(r.log.join('\n')).toContain('Key Vault is throttling requests (429 Too Many Requests); slowing down')
  })

  it("without Retry-After (the SDK alone gives up at once): tries again within the vault's 10-second window, then succeeds", async () => {
    s.faults.push({ match: readOfSecret, status: 429, body: throttledBody, times: 1 })
    // Draws low in their range (low-jitter.mjs): about half of the window.
    const r = await run({}, { lowJitter: true })
    expectValue(r)
    expect(vaultCalls()).toEqual(['GET 401', 'GET 429*', 'GET 200'])
    // Nothing of its own in the window: the next try in the later half of the window's 10 s, when
    // room has likely opened (the sequence of tries: retries.test.ts, with the injected clock).
    const [gap = 0] = gapsAfter(authorizedReads())
    expect(gap).toBeGreaterThanOrEqual(4900)
    expect(gap).toBeLessThan(10_100)
  })

  it('persistently: gives up after 10 retries and says to lower concurrency or spread the jobs', async () => {
    s.faults.push({ match: readOfSecret, status: 429, headers: { 'retry-after-ms': '50' }, body: throttledBody })
    const r = await run()
    expectFailure(
      r,
      "Key Vault 'faults-kv' kept throttling requests (429 Too Many Requests), also on 10 retries",
      "lower 'concurrency' (now 64)",
      'spread out the jobs',
      `Key Vault said: ${ThrottledMessage}`
    )
    expect(authorizedReads()).toHaveLength(11)
  })
})

describe('Key Vault fails once, then answers', () => {
  // Which statuses are retried (500, 502, 503, 504, 408; not 501, 505) and how long each wait is:
  // __tests__/unit/retries.test.ts. Here, that the policy is in the real pipeline (its waits drawn low: lowJitter).
  it('503 once: retried, succeeds', async () => {
    s.faults.push({ match: readOfSecret, status: 503, body: unavailableBody, times: 1 })
    const r = await run({}, { lowJitter: true })
    expectValue(r)
    expect(vaultCalls()).toEqual(['GET 401', 'GET 503*', 'GET 200'])
  })

  it('a connection reset: retried, succeeds', async () => {
    s.faults.push({ match: readOfSecret, drop: true, times: 1 })
    const r = await run({}, { lowJitter: true })
    expectValue(r)
    expect(vaultCalls()).toEqual(['GET 401', 'GET 0*', 'GET 200'])
  })

  it('a slow answer (2 s): waited for, not retried', async () => {
    s.faults.push({ match: readOfSecret, delayMs: 2000, times: 1 })
    const r = await run()
    expectValue(r)
    expect(vaultCalls()).toEqual(['GET 401', 'GET 200*'])
    expect(r.durationMs).toBeGreaterThanOrEqual(2000)
  })

  // An attempt with no answer is abandoned after a third of 'timeout' (at most 30 s) and retried:
  // __tests__/unit/retries.test.ts; through the real transport, in "input 'timeout' ends a step whose
  // requests get no answer" below (ETIMEDOUT, no answer within 1 s).
})

describe('Microsoft Entra ID token endpoint fails once', () => {
  it.each([
    [
      '503',
      {
        status: 503,
        body: {
          error: 'temporarily_unavailable',
          error_description: 'AADSTS90006: The service is temporarily unavailable.'
        }
      },
      'POST 503*'
    ],
    [
      '500',
      { status: 500, body: { error: 'server_error', error_description: 'AADSTS90100: An internal error occurred.' } },
      'POST 500*'
    ],
    ['a connection reset', { drop: true }, 'POST 0*']
  ] as const)('%s: the sign-in is retried, the step succeeds', async (_, fault, first) => {
    s.faults.push({ match: tokenRequest, times: 1, ...fault })
    const r = await run({}, { lowJitter: true })
    expectValue(r)
    expect(s.requestsTo('entra', 'POST').map((q) => `${q.method} ${q.status}${q.fault ? '*' : ''}`)).toEqual([
      first,
      'POST 200'
    ])
    expect(vaultCalls()).toEqual(['GET 401', 'GET 200'])
  })
})

describe('an outage that does not end', () => {
  // An outage that persists (4 retries, then the last answer or error; the waits capped at 1 + 2 + 4
  // + 8 s) and the messages it gives: __tests__/unit/retries.test.ts and failures.test.ts. Here, the
  // end the run itself sets: the 'timeout' input.
  it("input 'timeout' ends the step: the error names the timeout, the last status and that nothing was exported", async () => {
    s.faults.push({ match: readOfSecret, status: 503, body: unavailableBody })
    // 1 s: the jittered waits of 4 retries (up to 1 + 2 + 4 + 8 s) almost never all fit in it, so
    // the timeout, not the end of the retries, ends the step (at 3 s they fitted about one run in 50).
    const r = await run({ timeout: '1' })
    const error = expectFailure(
      r,
      "The step ran out of time: input 'timeout' allows 1 s, and the work with Key Vault 'faults-kv' had not finished. Nothing was exported.",
      "The vault's last failed answer was 503 Service Unavailable (after ",
      'https://azure.status.microsoft',
      "raise 'timeout'"
    )
    expect(error).not.toContain('also on')
    expect(r.durationMs).toBeGreaterThanOrEqual(1000)
    expect(r.durationMs).toBeLessThan(20_000)
  })

  it("input 'timeout' ends a step whose requests get no answer", async () => {
    s.faults.push({ match: readOfSecret, delayMs: 60_000 })
    const r = await run({ timeout: '3' })
    expectFailure(
      r,
      "input 'timeout' allows 3 s",
      'Nothing was exported.',
      'The last failed request to the vault ended with ETIMEDOUT (no answer within 1 s)'
    )
    expect(r.durationMs).toBeLessThan(20_000)
  })

  it("input 'timeout' ends a step whose sign-in hangs", async () => {
    s.faults.push({ match: tokenRequest, delayMs: 60_000 })
    const r = await run({ timeout: '2' })
    expectFailure(
      r,
      "input 'timeout' allows 2 s",
      'Nothing was exported.',
      'No request to the vault was waiting for an answer: the step was signing in'
    )
    expect(vaultCalls()).toEqual(['GET 401'])
    expect(r.durationMs).toBeLessThan(20_000)
  })
})

describe('a failure while other requests wait', () => {
  it('a missing secret ends the step at once, though another read is waiting out a 30 s Retry-After', async () => {
    s.faults.push({ match: readOfSecret, status: 429, headers: { 'Retry-After': '30' }, body: throttledBody })
    const r = await run({ 'secret-name': '', secrets: 'db-password\nno-such-secret' })
    expectFailure(r, "Secret 'no-such-secret' was not found in vault 'faults-kv'")
    expect(authorizedReads().map((q) => `${q.path} ${q.status}`)).toEqual(
      expect.arrayContaining(['/secrets/db-password/ 429', '/secrets/no-such-secret/ 404'])
    )
    expect(r.durationMs).toBeLessThan(15_000)
  })
})

describe('a vault that admits only so many requests per second', () => {
  const SECRETS = 200
  const name = (i: number): string => `app-${String(i).padStart(3, '0')}`
  const value = (i: number): string => `app-value-${i}`

  function seedMany(): void {
    for (let i = 0; i < SECRETS; i++) vault().setSecret(name(i), value(i))
  }

  function expectAllValues(r: RunResult): void {
    expect({ exitCode: r.exitCode, errors: r.errors }).toEqual({ exitCode: 0, errors: [] })
    const wrong = Array.from({ length: SECRETS }, (_, i) => i).filter((i) => r.outputs[name(i)] !== value(i))
    expect(wrong).toEqual([])
  }

  it('200 secrets by wildcard: all arrive; on the first 429 the action pauses as asked and sends fewer at once', async () => {
    seedMany()
    vault().rateLimit = { requests: 60, retryAfterSeconds: 'window' }
    // Latency, so that requests sent together are in flight together at the stand-in.
    s.latencyMs = 50
    // 32 in flight at first, which the numbers below assume.
    const r = await run({ 'secret-name': '', secrets: 'app-*', concurrency: '32' })
    expectAllValues(r)
    const requests = s.requestsTo('vault')
    const throttled = requests.filter((q) => q.rateLimited)
    expect(throttled.length).toBeGreaterThan(0)
    expect(throttled.every((q) => q.status === 429 && q.retryAfter === '1')).toBe(true)
    // Paced: after the first 429 (Retry-After: 1) nothing new arrives until the second is nearly over.
    const first = throttled[0] as RequestRecord
    expect(requests.filter((q) => q.arrived > first.time + 300 && q.arrived < first.time + 800)).toEqual([])
    // Fewer in flight: once the pause is over, never as many at once as before it.
    const before = Math.max(...requests.filter((q) => q.arrived <= first.time).map((q) => q.inFlight))
    const after = s.peakInFlight('vault', first.time + 1000)
    // Most of the 32 (a loaded machine gets fewer out before the first answer comes back), and more than half.
    expect(before).toBeGreaterThan(16)
    expect(after).toBeLessThan(before)
    // Halved to 16 on the first 429, then about one more per round of successes before the next cut.
    expect(after).toBeLessThanOrEqual(24)
    // Not hammering: most requests were admitted.
    expect(throttled.length).toBeLessThan(requests.length / 3)
    expect(r.log.join('\n')).toMatch(
      /Retried \d+ requests to Key Vault\. \d+ answers were 429 \(throttled\): the step paused [\d.]+ s in all and came down from 32 to \d+ requests? in flight\./
    )
  })

  // 429 without Retry-After paces the run to its share of the vault's 10-second window
  // (unit: retries.test.ts, throttle.test.ts; end to end: the single-read test above; many jobs at
  // once: npm run bench:matrix).

  it('delete of 40 secrets: every one deleted, the deletes and their polls share the throttle', async () => {
    const names = Array.from({ length: 40 }, (_, i) => `old-${String(i).padStart(2, '0')}`)
    for (const n of names) vault().setSecret(n, `old-value-${n}`)
    // With Retry-After, so the test waits seconds, not the windows a 429 without it is paced to (that
    // pacing is the same for every request: unit/throttle.test.ts, and npm run bench:matrix).
    vault().rateLimit = { requests: 30, retryAfterSeconds: 'window' }
    // Each delete is done at its poller's first look: the deletes and those looks are throttled together.
    vault().deletePolls = 0
    const r = await run({ operation: 'delete', 'secret-name': '', secrets: names.join('\n') })
    expect({ exitCode: r.exitCode, errors: r.errors }).toEqual({ exitCode: 0, errors: [] })
    expect(names.filter((n) => vault().secrets.has(n))).toEqual([])
    expect(names.filter((n) => !vault().deleted.has(n))).toEqual([])
    expect(s.requestsTo('vault').some((q) => q.rateLimited)).toBe(true)
  })
})
