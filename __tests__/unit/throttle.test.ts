import { describe, expect, test } from '@jest/globals'
import { createHttpHeaders, createPipelineRequest, type PipelineResponse } from '@azure/core-rest-pipeline'
import { mapWithConcurrency } from '../../src/concurrency.js'
import { backoffMs, retryAfterOf, RetryLimits } from '../../src/vault/retries.js'
import { Throttle, type Slot } from '../../src/vault/throttle.js'
import { ManualClock, settle } from './clock.js'

/** Acquires `count` slots one after the other, as requests let go at once would. */
async function take(throttle: Throttle, count: number): Promise<Slot[]> {
  const slots: Slot[] = []
  for (let i = 0; i < count; i++) slots.push(await throttle.acquire())
  return slots
}

/**
 * A run at its share of the window (3, answered at 0) whose next request met a 429 just after: the
 * vault admitted one within the last second, so a probe is due 250 + 0.5 x 750 = 625 ms later.
 */
async function throttledInBurstOfRoom(): Promise<{ clock: ManualClock; throttle: Throttle; probe: Promise<Slot> }> {
  const clock = new ManualClock()
  const throttle = new Throttle(8, clock, () => 0.5)
  for (const slot of await take(throttle, 3)) throttle.succeeded(slot)
  const [late] = await take(throttle, 1)
  expect(throttle.throttledUnsaid(late as Slot)).toBe(625)
  return { clock, throttle, probe: throttle.acquire(undefined, true) }
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
    const clock = new ManualClock()
    const throttle = new Throttle(32, clock)
    const slots = await take(throttle, 32)
    await clock.advance(10)
    for (const slot of slots.slice(0, 20)) throttle.throttled(slot, 0)
    expect(throttle.allowed).toBe(16)
    const [next] = await take(throttle, 1)
    await clock.advance(10)
    throttle.throttled(next as Slot, 0)
    expect(throttle.allowed).toBe(8)
    expect(throttle.report.throttled).toBe(21)
    expect(throttle.report.lowestLimit).toBe(8)
  })

  test('never below 1, and grows back by about one per round of successes, never above concurrency', async () => {
    const clock = new ManualClock()
    const throttle = new Throttle(4, clock)
    for (let i = 0; i < 5; i++) {
      const [slot] = await take(throttle, 1)
      await clock.advance(1)
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

  test('a pause (Retry-After) holds back every request until it ends, to the millisecond, a retry first', async () => {
    const clock = new ManualClock()
    const throttle = new Throttle(8, clock)
    const [slot] = await take(throttle, 1)
    throttle.throttled(slot as Slot, 1500)
    const order: string[] = []
    const fresh = throttle.acquire().then(() => order.push('fresh'))
    const retry = throttle.acquire(undefined, true).then(() => order.push('retry'))
    await clock.advance(1499)
    expect(order).toEqual([])
    await clock.advance(1)
    await Promise.all([fresh, retry])
    expect(order).toEqual(['retry', 'fresh'])
    expect(throttle.report.pausedMs).toBe(1500)
  })

  test('the same pause with the real clock: requests wait for it, not longer than needed', async () => {
    const throttle = new Throttle(8)
    const [slot] = await take(throttle, 1)
    throttle.throttled(slot as Slot, 30)
    const started = Date.now()
    expect(await settlesSoon(throttle.acquire())).toBe(false)
    await throttle.acquire()
    expect(Date.now() - started).toBeGreaterThanOrEqual(25)
  })

  test('overlapping pauses are counted once; a shorter pause inside a longer one does not end it early', async () => {
    const clock = new ManualClock()
    const throttle = new Throttle(8, clock)
    const [a, b, c] = await take(throttle, 3)
    throttle.throttled(a as Slot, 1000)
    await clock.advance(400)
    // Ends at 1400: 400 ms more than the first pause.
    throttle.throttled(b as Slot, 1000)
    // Ends at 600, inside: nothing added.
    throttle.throttled(c as Slot, 200)
    expect(throttle.report.pausedMs).toBe(1400)
    const waiting = throttle.acquire()
    await clock.advance(999)
    expect(await settlesSoon(waiting)).toBe(false)
    await clock.advance(1)
    await expect(waiting).resolves.toEqual({ sentAt: clock.now() })
    expect(throttle.report.throttled).toBe(3)
  })

  test('a request sent after the pause is let go at once; a pause of 0 holds nothing back', async () => {
    const clock = new ManualClock()
    const throttle = new Throttle(2, clock)
    const [slot] = await take(throttle, 1)
    throttle.throttled(slot as Slot, 0)
    expect(await settlesSoon(throttle.acquire())).toBe(true)
    expect(clock.pending()).toEqual([])
  })

  test('a failure (a 5xx, a reset) frees its slot without growing or cutting the limit', async () => {
    const clock = new ManualClock()
    const throttle = new Throttle(4, clock)
    const [first] = await take(throttle, 1)
    throttle.throttled(first as Slot, 0)
    expect(throttle.allowed).toBe(2)
    const slots = await take(throttle, 2)
    const third = throttle.acquire()
    expect(await settlesSoon(third)).toBe(false)
    throttle.failed(slots[0] as Slot)
    expect(await settlesSoon(third)).toBe(true)
    expect(throttle.allowed).toBe(2)
    expect(throttle.report).toEqual({ throttled: 1, lowestLimit: 2, pausedMs: 0 })
  })

  test('at most `concurrency` in flight: the next waits until one is answered, in the order they asked', async () => {
    const throttle = new Throttle(2, new ManualClock())
    const [a, b] = await take(throttle, 2)
    const order: string[] = []
    const c = throttle.acquire().then((slot) => (order.push('c'), slot))
    const d = throttle.acquire().then((slot) => (order.push('d'), slot))
    await settlesSoon(c)
    expect(order).toEqual([])
    throttle.succeeded(a as Slot)
    await c
    expect(order).toEqual(['c'])
    throttle.succeeded(b as Slot)
    await d
    expect(order).toEqual(['c', 'd'])
  })

  test('an abort while waiting out a pause cancels the wake-up once nobody is left waiting', async () => {
    const clock = new ManualClock()
    const throttle = new Throttle(4, clock)
    const [slot] = await take(throttle, 1)
    throttle.throttled(slot as Slot, 30_000)
    const controller = new AbortController()
    const waiting = throttle.acquire(controller.signal)
    await settle()
    expect(clock.pending()).toEqual([{ inMs: 30_000, unref: false }])
    controller.abort(new Error('The step stopped after a failure'))
    await expect(waiting).rejects.toThrow('The step stopped after a failure')
    // Nothing would keep a failed step alive until the pause ends.
    expect(clock.pending()).toEqual([])
  })

  test('a signal already aborted is refused at once', async () => {
    const throttle = new Throttle(4, new ManualClock())
    await expect(throttle.acquire(AbortSignal.abort(new Error('deadline')))).rejects.toThrow('deadline')
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

describe("Throttle: a 429 without Retry-After paces the run to its share of the vault's 10-second window", () => {
  test('at most as many per window as the vault admitted from it, each when one of its own ages out (counted from its answer), growing by one per admitted request', async () => {
    const clock = new ManualClock()
    const throttle = new Throttle(8, clock, () => 0.5)
    const first = await take(throttle, 3)
    // Answered 200 ms after they left: the vault counted each somewhere in between, so from its answer.
    await clock.advance(200)
    first.forEach((slot) => throttle.succeeded(slot))
    // More than a second later (not inside a burst of room: see the probe's test).
    await clock.advance(1800)
    const [late] = await take(throttle, 1)
    // Three of its own in the window: its share is 3, and the oldest leaves it at 10.2 s.
    expect(throttle.throttledUnsaid(late as Slot)).toBe(8200)
    expect(throttle.allowed).toBe(1)
    const retry = throttle.acquire(undefined, true)
    await clock.advance(8199)
    expect(await settlesSoon(retry)).toBe(false)
    await clock.advance(1)
    expect(await settlesSoon(retry)).toBe(true)
    // Admitted: the share grows to 4 and the requests in flight to 2.
    throttle.succeeded(await retry)
    expect(throttle.allowed).toBe(2)
    const sent = await take(throttle, 2)
    sent.forEach((slot) => throttle.succeeded(slot))
    // Three of its own in the window against a share of 6, but two in flight at most now: two go, the third waits.
    const more = [throttle.acquire(), throttle.acquire(), throttle.acquire()]
    expect(await Promise.all(more.slice(0, 2).map(settlesSoon))).toEqual([true, true])
    expect(await settlesSoon(more[2] as Promise<Slot>)).toBe(false)
  })

  test('answers to requests sent before the cut lower the share to what the vault admitted, and do not cut again', async () => {
    const clock = new ManualClock()
    const throttle = new Throttle(8, clock, () => 0.5)
    const slots = await take(throttle, 6)
    await clock.advance(10)
    throttle.succeeded(slots[0] as Slot)
    await clock.advance(1000)
    throttle.throttledUnsaid(slots[1] as Slot)
    // Counted: the one admitted and the four still in flight.
    for (const slot of slots.slice(2, 5)) throttle.throttledUnsaid(slot)
    throttle.succeeded(slots[5] as Slot)
    // Two admitted (and grown by one): the next goes when the pause the 429s set ends, as the
    // oldest still in flight then (sent at 0) ages out at 10 s.
    const next = throttle.acquire()
    await clock.advance(8989)
    expect(await settlesSoon(next)).toBe(false)
    await clock.advance(1)
    expect(await settlesSoon(next)).toBe(true)
    expect(throttle.report).toMatchObject({ throttled: 4, lowestLimit: 1 })
  })

  test('inside a burst of room (admitted within the last second), one request beyond the share 250-1000 ms later, more while they are admitted', async () => {
    // At its share, admitted just now: the vault's room is opening, so a probe 625 ms later, not at 10 s.
    const { clock, throttle, probe } = await throttledInBurstOfRoom()
    await clock.advance(624)
    expect(await settlesSoon(probe)).toBe(false)
    await clock.advance(1)
    expect(await settlesSoon(probe)).toBe(true)
    // Admitted: the next goes at once, beyond the share again; the one after waits for it.
    throttle.succeeded(await probe)
    const next = throttle.acquire()
    expect(await settlesSoon(next)).toBe(true)
    const after = throttle.acquire()
    expect(await settlesSoon(after)).toBe(false)
    // Refused 1.5 s later, a second and more after the vault last admitted one: one 429, then the
    // share's own pace (four of its own: the oldest leaves at 10 s).
    await clock.advance(1500)
    expect(throttle.throttledUnsaid(await next)).toBe(10_000 - 2125)
    expect(throttle.report.throttled).toBe(2)
    await clock.advance(10_000 - 2125 - 1)
    expect(await settlesSoon(after)).toBe(false)
    await clock.advance(1)
    expect(await settlesSoon(after)).toBe(true)
  })

  test("a refused probe is the last until the vault admits again: then the share's own pace", async () => {
    const { clock, throttle, probe } = await throttledInBurstOfRoom()
    await clock.advance(625)
    // Refused 625 ms after the vault last admitted one: within the second, yet no probe follows it;
    // the next goes when the oldest of its own ages out (10 s after they were answered at 0).
    expect(throttle.throttledUnsaid(await probe)).toBe(10_000 - 625)
    const next = throttle.acquire(undefined, true)
    await clock.advance(10_000 - 625 - 1)
    expect(await settlesSoon(next)).toBe(false)
    await clock.advance(1)
    expect(await settlesSoon(next)).toBe(true)
    // Admitted again: the room is opening, so the next 429 may be followed by a probe once more.
    throttle.succeeded(await next)
    const [again] = await take(throttle, 1)
    expect(throttle.throttledUnsaid(again as Slot)).toBe(625)
    expect(throttle.report.throttled).toBe(3)
  })

  test('with none of its own in the window, a random time before the window ends; runs throttled together come back apart', async () => {
    const waits = await Promise.all(
      [0.1, 0.6].map(async (draw) => {
        const clock = new ManualClock()
        const throttle = new Throttle(8, clock, () => draw)
        const [slot] = await take(throttle, 1)
        return throttle.throttledUnsaid(slot as Slot)
      })
    )
    // Draws of 0.1 and 0.6 land in the later half of the window: 5.5 s and 8 s.
    expect(waits).toEqual([5500, 8000])
  })

  test('a wake-up set for the window does not outlive the requests waiting for it', async () => {
    const clock = new ManualClock()
    const throttle = new Throttle(1, clock, () => 0.5)
    const [first] = await take(throttle, 1)
    throttle.succeeded(first as Slot)
    const [second] = await take(throttle, 1)
    throttle.throttledUnsaid(second as Slot)
    const controller = new AbortController()
    const waiting = throttle.acquire(controller.signal).catch(() => 'aborted')
    expect(clock.pending()).toHaveLength(1)
    controller.abort()
    expect(await waiting).toBe('aborted')
    expect(clock.pending()).toEqual([])
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
