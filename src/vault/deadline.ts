import type { PipelinePolicy } from '@azure/core-rest-pipeline'

/**
 * Where the deadline, the retries and the throttle read the time and wait. The run uses
 * SystemClock; unit tests pass a clock they move by hand, so waits of seconds take no time.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number
  /**
   * Calls `callback` once after `ms`; returns a function that cancels it. `unref`: the timer alone
   * does not keep the process alive.
   */
  schedule(ms: number, callback: () => void, options?: { readonly unref?: boolean }): () => void
}

/** Date.now and setTimeout. */
export const SystemClock: Clock = {
  now: () => Date.now(),
  schedule(ms, callback, options) {
    const timer = setTimeout(callback, ms)
    if (options?.unref) timer.unref()
    return () => clearTimeout(timer)
  }
}

/**
 * The `timeout` input: one deadline for the whole run. Its signal aborts every request in flight
 * and every wait between retries; `race` ends the run at the deadline even if something (a token
 * request, a poll) does not listen to the signal.
 */
export class Deadline {
  readonly signal: AbortSignal
  readonly at: number
  private readonly controller = new AbortController()
  private readonly cancelTimer: () => void

  constructor(
    readonly seconds: number,
    private readonly clock: Clock = SystemClock
  ) {
    this.at = clock.now() + seconds * 1000
    this.signal = this.controller.signal
    // The deadline alone must not keep the process alive once the work is done.
    this.cancelTimer = clock.schedule(seconds * 1000, () => this.controller.abort(new RunTimedOut(seconds)), {
      unref: true
    })
  }

  get expired(): boolean {
    return this.signal.aborted
  }

  remainingMs(): number {
    return Math.max(0, this.at - this.clock.now())
  }

  /** Waits `ms`; rejects as soon as the run ends (the deadline, or a failure that stopped it). */
  sleep(ms: number): Promise<void> {
    return sleepUnless(ms, this.signal, this.clock)
  }

  /** The work's result, or RunTimedOut when the deadline comes first. */
  race<T>(work: Promise<T>): Promise<T> {
    if (this.signal.aborted) return Promise.reject(this.signal.reason as Error)
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => reject(this.signal.reason as Error)
      this.signal.addEventListener('abort', onAbort, { once: true })
      work.then(
        (value) => {
          this.signal.removeEventListener('abort', onAbort)
          resolve(value)
        },
        (error: unknown) => {
          this.signal.removeEventListener('abort', onAbort)
          reject(this.signal.aborted ? abortReason(this.signal) : asError(error))
        }
      )
    })
  }

  /** Ends every request still in flight and refuses new ones: the run has failed, nothing more is needed. */
  stop(): void {
    this.cancelTimer()
    if (!this.signal.aborted) this.controller.abort(new Error('The step stopped after a failure'))
  }

  dispose(): void {
    this.cancelTimer()
  }
}

/** The run reached the `timeout` input's deadline before every request had finished. */
export class RunTimedOut extends Error {
  override readonly name = 'RunTimedOut'
  constructor(readonly seconds: number) {
    super(`The step did not finish within ${seconds} s`)
  }
}

/**
 * Added `perCall` (before the Key Vault challenge policy): every request, and every token request
 * that policy makes for it, carries the deadline's signal; after the deadline nothing is sent.
 */
export function deadlinePolicy(deadline: Deadline): PipelinePolicy {
  return {
    name: 'keyvaultSecretsActionDeadline',
    sendRequest(request, next) {
      if (deadline.signal.aborted) return Promise.reject(abortReason(deadline.signal))
      request.abortSignal = request.abortSignal
        ? AbortSignal.any([request.abortSignal as AbortSignal, deadline.signal])
        : deadline.signal
      return next(request)
    }
  }
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleepUnless(ms: number, signal: AbortSignal | undefined, clock: Clock = SystemClock): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal))
    const onAbort = (): void => {
      cancel()
      if (signal) reject(abortReason(signal))
    }
    const cancel = clock.schedule(ms, () => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    })
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

/** Why a signal aborted, as an Error (AbortSignal.reason is typed unknown). */
export function abortReason(signal: AbortSignal): Error {
  return asError(signal.reason)
}

export function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value))
}
