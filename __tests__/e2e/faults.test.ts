/**
 * End-to-end: faults of Key Vault, Microsoft Entra ID and the network, injected by the stand-in,
 * against the committed action run as the runner runs it (real Azure SDK, nothing mocked).
 *
 * Each test asserts exact outcomes: exit code, outputs, the requests the stand-in saw and their
 * answers, the error text. Times are asserted only as lower bounds the action must respect (a
 * Retry-After honoured) or as generous upper bounds ("ended in bounded time").
 *
 * The tests whose runs mostly wait (a slow answer, a sign-in retried after a backoff, a `timeout`
 * that has to pass) are `waiting` tests (support/world.ts): each with a stand-in of its own, their
 * waits pass together while the file's other tests run.
 */
import { describe, expect, it, jest } from '@jest/globals'
import {
  s,
  waiting,
  timed,
  run,
  readOfSecret,
  tokenRequest,
  throttledBody,
  unavailableBody,
  vaultCalls,
  authorizedReads,
  expectValue,
  expectFailure
} from '../support/faults-world.js'

jest.setTimeout(90_000)

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

  waiting('a slow answer (2 s): waited for, not retried', async () => {
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
  const faults = [
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
  ] as const
  for (const [name, fault, first] of faults)
    waiting(`${name}: the sign-in is retried, the step succeeds`, async () => {
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
  // end the run itself sets: the 'timeout' input. The first test is `timed`, not waiting: with 1 s,
  // its attempts are abandoned after a third of a second, which other runs beside it can take up.
  timed(
    "input 'timeout' ends the step: the error names the timeout, the last status and that nothing was exported",
    async () => {
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
    }
  )

  waiting("input 'timeout' ends a step whose requests get no answer", async () => {
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

  waiting("input 'timeout' ends a step whose sign-in hangs", async () => {
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
