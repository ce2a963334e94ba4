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
 * - While the vault has asked to wait (Retry-After), no request goes out; requests that are
 *   retried go first when sending resumes.
 * - A 429 without Retry-After (Key Vault's usual answer) says the vault's window is full. The
 *   service counts requests per vault over a sliding 10-second window, shared with every other job
 *   that reads the vault (a matrix's legs): a backoff of a second or two mostly meets another 429.
 *   So the run paces itself to its share of the window: at most as many requests per 10 s as the
 *   vault admitted from it in the last 10 s, each sent when one of its own ages out of the window
 *   (counted from its answer), growing by one per request the vault then admits, and beyond it in a
 *   burst of room (a probe, see RoomOpeningMs); in flight, one request, growing as above. With none
 *   of its own in the window it waits a random part of it, so runs throttled together come back apart.
 */
/** Key Vault counts requests per vault over a sliding window this long (4,000 reads per 10 s). */
export const VaultWindowMs = 10_000

/** A run with nothing of its own in the window draws its wait from at least this long. */
const BlindWaitMinMs = 2000

/**
 * What the vault admitted together ages out together, so its room opens in bursts, and the room a
 * run's own oldest leaves may go to another run. A run admitted within RoomOpeningMs of a 429 is in
 * such a burst: it tries one request beyond its share a random ProbeWaitMs later, and goes on while
 * those are admitted, rather than wait out its window. A refused probe (one 429) is the last until
 * the vault admits one of the run's requests again.
 */
const RoomOpeningMs = 1000
const ProbeWaitMs = { min: 250, max: 1000 }

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
  /**
   * The run's requests that the vault may count in its window (not throttled: answered or in
   * flight), oldest first. Each counts from its answer once it has one: the vault counted it when
   * it arrived, which the run knows only to lie between sending and the answer, and a request
   * counted from its sending would seem to age out before the vault lets it go.
   */
  private readonly window: { readonly slot: Slot; readonly from: number }[] = []
  /** Requests per window once a 429 without Retry-After came: the run's share (undefined: no limit yet). */
  private budget: number | undefined
  /** When a 429 without Retry-After found none of the run's own requests in the window. */
  private blindSince: number | undefined
  /** When the vault last admitted one of the run's requests. */
  private lastAdmitted: number | undefined
  /** When one request beyond the share may go (see RoomOpeningMs), and that request once sent. */
  private probeAt: number | undefined
  private probe: Slot | undefined

  constructor(
    /** The `concurrency` input: the limit never goes above it. */
    readonly maxInFlight: number,
    private readonly clock: Clock = SystemClock,
    /** Draws the waits of runs with no share to replay; Math.random by default. */
    private readonly random: () => number = Math.random
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
  succeeded(slot: Slot): void {
    this.lastAdmitted = this.clock.now()
    // A probe admitted: the room is opening, the next goes at once.
    if (slot === this.probe) this.probeAt = this.lastAdmitted
    this.limit = Math.min(this.maxInFlight, this.limit + 1 / this.limit)
    // The vault took it: there was room beyond the share, so the share grows into it at once (by
    // about one a window, a run with a small share would replay it for many windows while the
    // vault stood idle: 63 s instead of 12 for 12 legs x 40 reads, bench:matrix).
    if (this.budget !== undefined) this.budget += 1
    this.answered(slot)
    this.free()
  }

  /** The request failed for another reason (a 5xx, a reset): no news about the vault's limits. */
  failed(slot: Slot): void {
    this.answered(slot)
    this.free()
  }

  /** The vault throttled the request and asked to wait `waitMs` before sending again. */
  throttled(slot: Slot, waitMs: number): void {
    const now = this.clock.now()
    this.stats.throttled += 1
    this.forget(slot)
    if (slot.sentAt >= this.lastCut) {
      this.limit = Math.max(1, this.limit / 2)
      this.lastCut = now
      this.stats.lowestLimit = Math.min(this.stats.lowestLimit, this.allowed)
    }
    this.pauseUntil(now + waitMs, now)
    this.free()
  }

  /**
   * The vault throttled the request without saying how long to wait: its window is full. Paces the
   * run to its share of the window (see the class comment); returns how long until this request
   * may go again, for the log.
   */
  throttledUnsaid(slot: Slot): number {
    const now = this.clock.now()
    this.stats.throttled += 1
    this.forget(slot)
    this.prune(now)
    if (slot.sentAt >= this.lastCut) {
      this.budget = Math.max(1, this.window.length)
      this.limit = 1
      this.lastCut = now
      this.stats.lowestLimit = 1
    } else if (this.budget !== undefined) {
      // Counted in the share while in flight, and not admitted after all.
      this.budget = Math.min(this.budget, Math.max(1, this.window.length))
    }
    if (slot === this.probe) this.lastAdmitted = undefined // the room is not opening: no second probe
    const resumeAt =
      this.window.length > 0 ? this.shareResumesAt(now) : Math.max(this.pausedUntil, this.blindWaitEnds(now))
    this.pauseUntil(resumeAt, now)
    this.free()
    return Math.max(0, resumeAt - now)
  }

  /**
   * With requests of its own in the window: the next goes when its share has room (see pump), or
   * sooner as a probe when the vault's room is opening (RoomOpeningMs).
   */
  private shareResumesAt(now: number): number {
    if (!this.atShare()) return now
    const leaves = this.oldestLeavesAt(now)
    if (this.lastAdmitted === undefined || now - this.lastAdmitted >= RoomOpeningMs) return leaves
    const probe = now + ProbeWaitMs.min + (ProbeWaitMs.max - ProbeWaitMs.min) * this.random()
    if (probe >= leaves) return leaves
    this.probeAt = probe
    return probe
  }

  /** The run has as many of its own in the window as its share allows (whole requests of it). */
  private atShare(): boolean {
    return this.budget !== undefined && this.window.length >= Math.max(1, Math.floor(this.budget))
  }

  private oldestLeavesAt(now: number): number {
    return (this.window[0]?.from ?? now) + VaultWindowMs
  }

  /**
   * With none of its own in the window, when room opens is unknown, but within one window of the
   * first 429 that found it full everything then in it has aged out: a random time before that, in
   * the later half of what is left of it (of at least BlindWaitMinMs).
   */
  private blindWaitEnds(now: number): number {
    if (this.pausedUntil > now) return this.pausedUntil
    if (this.blindSince === undefined || now >= this.blindSince + VaultWindowMs) this.blindSince = now
    const left = Math.max(BlindWaitMinMs, this.blindSince + VaultWindowMs - now)
    // In the later half of what is left: a few tries a window, not a burst of them near its end.
    return now + left * (0.5 + 0.5 * this.random())
  }

  /** Holds every request back until `until` (a later pause wins). */
  private pauseUntil(until: number, now: number): void {
    if (until <= this.pausedUntil) return
    this.stats.pausedMs += until - Math.max(now, this.pausedUntil)
    this.pausedUntil = until
  }

  private forget(slot: Slot): void {
    const index = this.window.findIndex((entry) => entry.slot === slot)
    if (index >= 0) this.window.splice(index, 1)
  }

  /** Counted from now, its answer: the newest in the window. */
  private answered(slot: Slot): void {
    this.forget(slot)
    this.window.push({ slot, from: this.clock.now() })
  }

  private prune(now: number): void {
    while (this.window.length > 0 && (this.window[0]?.from ?? now) <= now - VaultWindowMs) this.window.shift()
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
    this.prune(now)
    while (this.waiting.length > 0 && this.inFlight < this.allowed) {
      // At its share of the window: the next request goes when the oldest of its own ages out, or
      // as the one probe beyond it.
      const probing = this.atShare()
      if (probing && (this.probeAt === undefined || now < this.probeAt)) {
        this.wakeAt(Math.min(this.oldestLeavesAt(now), this.probeAt ?? Number.POSITIVE_INFINITY))
        return
      }
      const waiter = this.waiting.shift() as Waiter
      waiter.signal?.removeEventListener('abort', waiter.onAbort)
      this.inFlight += 1
      const slot = { sentAt: now }
      this.window.push({ slot, from: now })
      this.probeAt = undefined
      this.probe = probing ? slot : undefined
      waiter.resolve(slot)
    }
    // Nobody left to wake: a wake-up set earlier must not keep a finished step alive.
    if (this.waiting.length === 0 && this.timer) {
      this.timer()
      this.timer = undefined
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
