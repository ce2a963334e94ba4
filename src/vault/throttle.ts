import { abortReason, SystemClock, type Clock } from './deadline.js'

/**
 * How many requests to the vault may be in flight, adapted to throttling (AIMD, as TCP does), and
 * when the next one may go (the vault's Retry-After). One per run, shared by every request of the
 * SecretClient: reads, list pages, deletes, recovers, purges and their polls all pass through it.
 *
 * - Start at the `concurrency` input: an unthrottled run is as fast as before.
 * - On a 429, halve the limit (never below 1), at most once per round: answers to requests sent
 *   before the last cut are news of the same overload and do not cut again.
 * - After each success add 1/limit, so the limit grows by about one per round of successful
 *   requests, never above `concurrency`. Growing by a whole request per success would undo a cut
 *   within one round and send the vault the same burst again.
 * - While the vault has asked to wait (Retry-After, or the backoff chosen when it did not say),
 *   no request goes out; requests that are retried go first when sending resumes.
 */
interface ThrottleStats {
  /** Answers that were 429 (or 503 with Retry-After). */
  readonly throttled: number
  /** The lowest in-flight limit the run came down to. */
  readonly lowestLimit: number
  /** Time spent with sending paused at the vault's request, in ms (overlapping pauses counted once). */
  readonly pausedMs: number
}

/** A permit to send one request; give it back with `release`. */
export interface Slot {
  /** When the request was let go. */
  readonly sentAt: number
}

interface Waiter {
  readonly resolve: (slot: Slot) => void
  readonly reject: (reason: unknown) => void
  readonly signal?: AbortSignal
  readonly onAbort: () => void
}

export class Throttle {
  private limit: number
  private inFlight = 0
  private pausedUntil = 0
  private lastCut = Number.NEGATIVE_INFINITY
  private readonly waiting: Waiter[] = []
  /** Cancels the wake-up at the end of a pause, while one is set. */
  private timer: (() => void) | undefined
  private stats = { throttled: 0, lowestLimit: 0, pausedMs: 0 }

  constructor(
    /** The `concurrency` input: the limit never goes above it. */
    readonly maxInFlight: number,
    private readonly clock: Clock = SystemClock
  ) {
    this.limit = maxInFlight
    this.stats.lowestLimit = maxInFlight
  }

  /** Requests that may be in flight right now. */
  get allowed(): number {
    return Math.max(1, Math.floor(this.limit))
  }

  get report(): ThrottleStats {
    return { ...this.stats }
  }

  /**
   * Waits for a free slot and for any pause to end. A retry (`first`) queues ahead of requests not
   * yet sent, so a request that was throttled is not overtaken again and again.
   */
  acquire(signal?: AbortSignal, first = false): Promise<Slot> {
    if (signal?.aborted) return Promise.reject(abortReason(signal))
    return new Promise<Slot>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          const index = this.waiting.indexOf(waiter)
          if (index >= 0) this.waiting.splice(index, 1)
          // Nobody left to wake: the timer must not keep a failed step alive until the pause ends.
          if (this.waiting.length === 0 && this.timer) {
            this.timer()
            this.timer = undefined
          }
          if (signal) reject(abortReason(signal))
        }
      }
      signal?.addEventListener('abort', waiter.onAbort, { once: true })
      if (first) this.waiting.unshift(waiter)
      else this.waiting.push(waiter)
      this.pump()
    })
  }

  /** The request got an answer that was not throttling (or failed on the network). */
  succeeded(_slot: Slot): void {
    this.limit = Math.min(this.maxInFlight, this.limit + 1 / this.limit)
    this.free()
  }

  /** The request failed for another reason (a 5xx, a reset): no news about the vault's limits. */
  failed(_slot: Slot): void {
    this.free()
  }

  /** The vault throttled the request and asked to wait `waitMs` before sending again. */
  throttled(slot: Slot, waitMs: number): void {
    const now = this.clock.now()
    this.stats.throttled += 1
    if (slot.sentAt >= this.lastCut) {
      this.limit = Math.max(1, this.limit / 2)
      this.lastCut = now
      this.stats.lowestLimit = Math.min(this.stats.lowestLimit, this.allowed)
    }
    const until = now + waitMs
    if (until > this.pausedUntil) {
      this.stats.pausedMs += until - Math.max(now, this.pausedUntil)
      this.pausedUntil = until
    }
    this.free()
  }

  private free(): void {
    this.inFlight -= 1
    this.pump()
  }

  private pump(): void {
    const now = this.clock.now()
    if (now < this.pausedUntil) {
      if (this.waiting.length > 0) this.wakeAt(this.pausedUntil)
      return
    }
    while (this.waiting.length > 0 && this.inFlight < this.allowed) {
      const waiter = this.waiting.shift() as Waiter
      waiter.signal?.removeEventListener('abort', waiter.onAbort)
      this.inFlight += 1
      waiter.resolve({ sentAt: now })
    }
  }

  private wakeAt(time: number): void {
    if (this.timer) this.timer()
    this.timer = this.clock.schedule(Math.max(0, time - this.clock.now()), () => {
      this.timer = undefined
      this.pump()
    })
  }
}
