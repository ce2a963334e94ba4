import { describe, expect, test } from '@jest/globals'
import { createHttpHeaders, createPipelineRequest, type PipelineResponse } from '@azure/core-rest-pipeline'
import { mapWithConcurrency } from '../../src/concurrency.js'
import { backoffMs, retryAfterOf, RetryLimits } from '../../src/vault/retries.js'
import { Throttle, type Slot } from '../../src/vault/throttle.js'

/** A clock the test moves by hand. */
function manualClock(): { now: () => number; advance: (ms: number) => void } {
  let time = 1_000_000
  return { now: () => time, advance: (ms) => (time += ms) }
}

/** Acquires `count` slots one after the other, as requests let go at once would. */
async function take(throttle: Throttle, count: number): Promise<Slot[]> {
  const slots: Slot[] = []
  for (let i = 0; i < count; i++) slots.push(await throttle.acquire())
  return slots
}

/** Resolves true when the promise settles within a turn of the event loop. */
async function settlesSoon(promise: Promise<unknown>): Promise<boolean> {
  let settled = false
  void promise.then(() => (settled = true))
  await new Promise((resolve) => setImmediate(resolve))
  return settled
}

describe('Throttle: requests in flight adapt to throttling (AIMD)', () => {
  test('starts at concurrency and lets no more than that go at once', async () => {
    const throttle = new Throttle(4)
    await take(throttle, 4)
    expect(await settlesSoon(throttle.acquire())).toBe(false)
  })

  test('a 429 halves the limit once per round: answers to requests sent before the cut do not cut again', async () => {
    const clock = manualClock()
    const throttle = new Throttle(32, clock.now)
    const slots = await take(throttle, 32)
    clock.advance(10)
    for (const slot of slots.slice(0, 20)) throttle.throttled(slot, 0)
    expect(throttle.allowed).toBe(16)
    const [next] = await take(throttle, 1)
    clock.advance(10)
    throttle.throttled(next as Slot, 0)
    expect(throttle.allowed).toBe(8)
    expect(throttle.report.throttled).toBe(21)
    expect(throttle.report.lowestLimit).toBe(8)
  })

  test('never below 1, and grows back by about one per round of successes, never above concurrency', async () => {
    const clock = manualClock()
    const throttle = new Throttle(4, clock.now)
    for (let i = 0; i < 5; i++) {
      const [slot] = await take(throttle, 1)
      clock.advance(1)
      throttle.throttled(slot as Slot, 0)
    }
    expect(throttle.allowed).toBe(1)
    // Each success adds 1/limit: 1 -> 2 after one success, -> 3 after three more, -> 4 after three more.
    const grow = async (successes: number): Promise<void> => {
      for (let i = 0; i < successes; i++) throttle.succeeded((await take(throttle, 1))[0] as Slot)
    }
    await grow(1)
    expect(throttle.allowed).toBe(2)
    await grow(2)
    expect(throttle.allowed).toBe(2)
    await grow(1)
    expect(throttle.allowed).toBe(3)
    await grow(3)
    expect(throttle.allowed).toBe(4)
    await grow(100)
    expect(throttle.allowed).toBe(4)
  })

  test('a pause (Retry-After) holds back every request, a retry first when it ends', async () => {
    const throttle = new Throttle(8)
    const [slot] = await take(throttle, 1)
    throttle.throttled(slot as Slot, 150)
    const order: string[] = []
    const fresh = throttle.acquire().then(() => order.push('fresh'))
    const retry = throttle.acquire(undefined, true).then(() => order.push('retry'))
    expect(await settlesSoon(fresh)).toBe(false)
    const started = Date.now()
    await Promise.all([fresh, retry])
    expect(Date.now() - started).toBeGreaterThanOrEqual(100)
    expect(order).toEqual(['retry', 'fresh'])
    expect(throttle.report.pausedMs).toBe(150)
  })

  test('a waiting request is let go when its signal aborts', async () => {
    const throttle = new Throttle(1)
    await take(throttle, 1)
    const controller = new AbortController()
    const waiting = throttle.acquire(controller.signal)
    controller.abort(new Error('deadline'))
    await expect(waiting).rejects.toThrow('deadline')
  })
})

describe('retry waits', () => {
  const response = (headers: Record<string, string>): PipelineResponse => ({
    status: 429,
    headers: createHttpHeaders(headers),
    request: createPipelineRequest({ url: 'https://contoso-kv.vault.azure.net/secrets/x/' })
  })

  test.each([
    [{ 'Retry-After': '2' }, 2000],
    [{ 'Retry-After': '0' }, 0],
    [{ 'retry-after-ms': '250' }, 250],
    [{ 'x-ms-retry-after-ms': '40' }, 40],
    [{ 'retry-after-ms': '250', 'Retry-After': '9' }, 250],
    [{ 'Retry-After': 'Thu, 01 Jan 2026 00:00:05 GMT' }, 5000],
    [{}, undefined],
    [{ 'Retry-After': 'soon' }, undefined]
  ])('%j -> %s ms', (headers, expected) => {
    expect(retryAfterOf(response(headers), Date.parse('Thu, 01 Jan 2026 00:00:00 GMT'))).toBe(expected)
  })

  test('exponential backoff with full jitter, capped', () => {
    const limits = RetryLimits.transient
    expect([0, 1, 2, 3, 4, 10].map((retry) => backoffMs(retry, limits, () => 0.999999))).toEqual([
      999, 1999, 3999, 7999, 7999, 7999
    ])
    expect(backoffMs(3, limits, () => 0)).toBe(0)
    expect(backoffMs(1, limits, () => 0.5)).toBe(1000)
  })
})

describe('mapWithConcurrency after a failure', () => {
  test('starts nothing new once a call has failed', async () => {
    const started: number[] = []
    const run = mapWithConcurrency([1, 2, 3, 4, 5, 6], 2, async (n) => {
      started.push(n)
      await new Promise((resolve) => setTimeout(resolve, 5))
      if (n === 1) throw new Error('boom')
      return n
    })
    await expect(run).rejects.toThrow('boom')
    await new Promise((resolve) => setTimeout(resolve, 30))
    expect(started).toEqual([1, 2])
  })
})
