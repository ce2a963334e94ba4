/**
 * The `timeout` deadline (src/vault/deadline.ts) on a clock the test moves: when it ends the run,
 * what it aborts and with which reason, how `stop` and `dispose` end it early, and the policy that
 * hands its signal to every request.
 */
import { describe, expect, test } from '@jest/globals'
import { createHttpHeaders, createPipelineRequest, type PipelineRequest } from '@azure/core-rest-pipeline'
import { Deadline, deadlinePolicy, RunTimedOut, sleepUnless, SystemClock } from '../../src/vault/deadline.js'
import { ManualClock, settle } from './clock.js'

/** Resolves to 'pending' when the promise has not settled once ready work has run. */
async function state(promise: Promise<unknown>): Promise<string> {
  let result = 'pending'
  promise.then(
    () => (result = 'resolved'),
    (error: unknown) => (result = `rejected: ${(error as Error).message}`)
  )
  await settle()
  return result
}

describe('Deadline', () => {
  test('ends the run exactly `timeout` seconds after it starts, with RunTimedOut', async () => {
    const clock = new ManualClock()
    const deadline = new Deadline(3, clock)
    expect(deadline.at).toBe(clock.now() + 3000)
    await clock.advance(2999)
    expect(deadline.expired).toBe(false)
    expect(deadline.remainingMs()).toBe(1)
    await clock.advance(1)
    expect(deadline.expired).toBe(true)
    expect(deadline.signal.reason).toBeInstanceOf(RunTimedOut)
    expect(deadline.signal.reason).toMatchObject({
      name: 'RunTimedOut',
      seconds: 3,
      message: 'The step did not finish within 3 s'
    })
    await clock.advance(5000)
    expect(deadline.remainingMs()).toBe(0)
  })

  test('its timer alone does not keep the process alive (unref)', () => {
    const clock = new ManualClock()
    new Deadline(300, clock)
    expect(clock.pending()).toEqual([{ inMs: 300_000, unref: true }])
  })

  test('sleep waits the time asked, and is cut short by the deadline with its reason', async () => {
    const clock = new ManualClock()
    const deadline = new Deadline(2, clock)
    const short = deadline.sleep(500)
    await clock.advance(500)
    expect(await state(short)).toBe('resolved')
    const long = deadline.sleep(10_000)
    await clock.advance(1499)
    expect(await state(long)).toBe('pending')
    await clock.advance(1)
    expect(await state(long)).toBe('rejected: The step did not finish within 2 s')
    // After the deadline a sleep is refused at once.
    expect(await state(deadline.sleep(1))).toBe('rejected: The step did not finish within 2 s')
  })

  test('race: the work when it finishes first', async () => {
    const deadline = new Deadline(2, new ManualClock())
    await expect(deadline.race(Promise.resolve('done'))).resolves.toBe('done')
    const failure = new Error('Forbidden')
    await expect(deadline.race(Promise.reject(failure))).rejects.toBe(failure)
    // A rejection that is not an Error still surfaces as one.
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
    await expect(deadline.race(Promise.reject('plain'))).rejects.toThrow('plain')
  })

  test('race: RunTimedOut at the deadline, even when the work never listens to the signal', async () => {
    const clock = new ManualClock()
    const deadline = new Deadline(2, clock)
    const raced = deadline.race(new Promise(() => undefined))
    await clock.advance(2000)
    expect(await state(raced)).toBe('rejected: The step did not finish within 2 s')
    // Started after the deadline: refused at once.
    await expect(deadline.race(Promise.resolve(1))).rejects.toBeInstanceOf(RunTimedOut)
  })

  test('race: work that fails because the deadline aborted it reports the deadline, not its own error', async () => {
    const clock = new ManualClock()
    const deadline = new Deadline(1, clock)
    const work = new Promise((_, reject) =>
      deadline.signal.addEventListener('abort', () => reject(new Error('The operation was aborted.')))
    )
    const raced = deadline.race(work).catch((error: unknown) => error)
    await clock.advance(1000)
    expect(await raced).toBeInstanceOf(RunTimedOut)
  })

  test('stop: ends everything in flight with its own reason and cancels the timer', async () => {
    const clock = new ManualClock()
    const deadline = new Deadline(300, clock)
    const sleeping = deadline.sleep(60_000)
    deadline.stop()
    expect(deadline.expired).toBe(true)
    expect(await state(sleeping)).toBe('rejected: The step stopped after a failure')
    expect(clock.pending()).toEqual([])
  })

  test('stop after the deadline keeps RunTimedOut as the reason', async () => {
    const clock = new ManualClock()
    const deadline = new Deadline(1, clock)
    await clock.advance(1000)
    deadline.stop()
    expect(deadline.signal.reason).toBeInstanceOf(RunTimedOut)
  })

  test('dispose: cancels the timer without aborting anything', async () => {
    const clock = new ManualClock()
    const deadline = new Deadline(1, clock)
    deadline.dispose()
    expect(clock.pending()).toEqual([])
    await clock.advance(10_000)
    expect(deadline.expired).toBe(false)
  })
})

describe('sleepUnless', () => {
  test('without a signal: just a wait', async () => {
    const clock = new ManualClock()
    const sleeping = sleepUnless(250, undefined, clock)
    await clock.advance(249)
    expect(await state(sleeping)).toBe('pending')
    await clock.advance(1)
    expect(await state(sleeping)).toBe('resolved')
  })

  test('an abort ends the wait at once with the reason, and cancels its timer', async () => {
    const clock = new ManualClock()
    const controller = new AbortController()
    const sleeping = sleepUnless(60_000, controller.signal, clock)
    await clock.advance(10)
    controller.abort(new Error('stopped'))
    expect(await state(sleeping)).toBe('rejected: stopped')
    expect(clock.pending()).toEqual([])
  })

  test('a signal already aborted: rejected without waiting; a reason that is no Error becomes one', async () => {
    const clock = new ManualClock()
    expect(await state(sleepUnless(1000, AbortSignal.abort('gone'), clock))).toBe('rejected: gone')
    expect(clock.pending()).toEqual([])
  })

  test('with the system clock: a real (short) wait, and a cancelled one that never fires', async () => {
    const started = Date.now()
    await sleepUnless(20, undefined)
    expect(Date.now() - started).toBeGreaterThanOrEqual(15)
    let fired = false
    const cancel = SystemClock.schedule(5, () => (fired = true), { unref: true })
    cancel()
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(fired).toBe(false)
  })
})

describe('deadlinePolicy', () => {
  const request = (signal?: AbortSignal): PipelineRequest =>
    createPipelineRequest({
      url: 'https://contoso-kv.vault.azure.net/secrets/x/',
      ...(signal && { abortSignal: signal })
    })
  const capture = (): { seen: PipelineRequest[]; next: (r: PipelineRequest) => Promise<never> } => {
    const seen: PipelineRequest[] = []
    return {
      seen,
      next: (r) => {
        seen.push(r)
        return Promise.resolve({ request: r, status: 200, headers: createHttpHeaders() } as never)
      }
    }
  }

  test('every request carries the deadline: aborted at the deadline', async () => {
    const clock = new ManualClock()
    const deadline = new Deadline(1, clock)
    const { seen, next } = capture()
    await deadlinePolicy(deadline).sendRequest(request(), next)
    const signal = seen[0]?.abortSignal
    expect(signal?.aborted).toBe(false)
    await clock.advance(1000)
    expect(signal?.aborted).toBe(true)
  })

  test("a request's own signal still aborts it too", async () => {
    const deadline = new Deadline(300, new ManualClock())
    const own = new AbortController()
    const { seen, next } = capture()
    await deadlinePolicy(deadline).sendRequest(request(own.signal), next)
    own.abort(new Error('cancelled'))
    expect(seen[0]?.abortSignal?.aborted).toBe(true)
    expect(deadline.expired).toBe(false)
  })

  test('after the deadline nothing is sent', async () => {
    const clock = new ManualClock()
    const deadline = new Deadline(1, clock)
    await clock.advance(1000)
    const { seen, next } = capture()
    await expect(deadlinePolicy(deadline).sendRequest(request(), next)).rejects.toBeInstanceOf(RunTimedOut)
    expect(seen).toEqual([])
  })
})
