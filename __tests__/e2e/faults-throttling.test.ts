/**
 * End-to-end: Key Vault throttling (429, with and without Retry-After, and a rate-limited vault),
 * against the committed action run as the runner runs it (real Azure SDK, nothing mocked).
 *
 * Each test asserts exact outcomes: exit code, outputs, the requests the stand-in saw and their
 * answers, the error text. Times are asserted only as lower bounds the action must respect (a
 * Retry-After honoured) or as generous upper bounds ("ended in bounded time").
 *
 * Every test here mostly waits (a Retry-After, the vault's window), so each is a `waiting` test
 * (support/world.ts) with a stand-in of its own: all start together and their waits pass at once.
 * The 429 without Retry-After retries as a probe, 250-1000 ms after it (asserted within 2 s).
 */
import { describe, expect, jest } from '@jest/globals'
import { ThrottledMessage } from '../support/standin/index.js'
import type { RequestRecord } from '../support/standin/index.js'
import type { RunResult } from '../support/runner.js'
import {
  s,
  vault,
  waiting,
  run,
  readOfSecret,
  throttledBody,
  vaultCalls,
  authorizedReads,
  gapsAfter,
  expectValue,
  expectFailure
} from '../support/faults-world.js'

jest.setTimeout(90_000)

describe('Key Vault throttles a request (429), then answers', () => {
  waiting('with Retry-After: waits as asked, then succeeds', async () => {
    s.faults.push({ match: readOfSecret, status: 429, headers: { 'Retry-After': '1' }, body: throttledBody, times: 1 })
    const r = await run()
    expectValue(r)
    expect(vaultCalls()).toEqual(['GET 401', 'GET 429*', 'GET 200'])
    const [waited = 0] = gapsAfter(authorizedReads())
    expect(waited).toBeGreaterThanOrEqual(950)
    expect(r.log.join('\n')).toContain('Key Vault is throttling requests (429 Too Many Requests); slowing down')
  })

  waiting(
    "without Retry-After (the SDK alone gives up at once): tries again within the vault's 10-second window, then succeeds",
    async () => {
      s.faults.push({ match: readOfSecret, status: 429, body: throttledBody, times: 1 })
      const r = await run()
      expectValue(r)
      expect(vaultCalls()).toEqual(['GET 401', 'GET 429*', 'GET 200'])
      // Its one request in the window is the challenge (401), which the vault admitted just before:
      // its share is one request, but the vault's room is opening (it admitted one within the last
      // second), so the next try is a probe 250-1000 ms later instead of 10 s after the challenge
      // (the rules, with the injected clock: throttle.test.ts).
      const [gap = 0] = gapsAfter(authorizedReads())
      expect(gap).toBeGreaterThanOrEqual(250)
      expect(gap).toBeLessThan(2000)
    }
  )

  waiting('persistently: gives up after 10 retries and says to lower concurrency or spread the jobs', async () => {
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

  waiting(
    '200 secrets by wildcard: all arrive; on the first 429 the action pauses as asked and sends fewer at once',
    async () => {
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
    }
  )

  // 429 without Retry-After paces the run to its share of the vault's 10-second window
  // (unit: retries.test.ts, throttle.test.ts; end to end: the single-read test above; many jobs at
  // once: npm run bench:matrix).

  waiting('delete of 40 secrets: every one deleted, the deletes and their polls share the throttle', async () => {
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
