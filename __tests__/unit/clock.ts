/**
 * A Clock (src/vault/deadline.ts) that moves only when the test says so: waits of seconds (backoff,
 * Retry-After, the attempt timeout, the `timeout` deadline) pass in no time, and exactly.
 */
import type { Clock } from '../../src/vault/deadline.js'

interface Timer {
  readonly at: number
  readonly order: number
  readonly ms: number
  readonly unref: boolean
  readonly callback: () => void
  done: boolean
}

/** Lets every promise chain that is ready run (the microtask queue, then one turn of the event loop). */
export const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

export class ManualClock implements Clock {
  private time: number
  private order = 0
  private readonly timers: Timer[] = []

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.time = start
  }

  now(): number {
    return this.time
  }

  schedule(ms: number, callback: () => void, options?: { readonly unref?: boolean }): () => void {
    const timer: Timer = {
      at: this.time + Math.max(0, ms),
      order: this.order++,
      ms,
      unref: options?.unref ?? false,
      callback,
      done: false
    }
    this.timers.push(timer)
    return () => {
      timer.done = true
    }
  }

  /** Timers set and neither fired nor cancelled, soonest first: what is still waiting. */
  pending(): { readonly inMs: number; readonly unref: boolean }[] {
    return this.live().map((t) => ({ inMs: t.at - this.time, unref: t.unref }))
  }

  /** Moves the time forward by `ms`, firing each timer due on the way at its own time, in order. */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms
    await settle()
    for (let next = this.live()[0]; next && next.at <= end; next = this.live()[0]) {
      this.time = next.at
      next.done = true
      next.callback()
      await settle()
    }
    this.time = end
    await settle()
  }

  /**
   * Fires the timers one after another, each at its time, until `work` settles; its outcome. Fails
   * when nothing is left to fire and `work` still waits (it would hang for real too).
   */
  async run<T>(work: Promise<T>): Promise<T> {
    let settled = false
    work.then(
      () => (settled = true),
      () => (settled = true)
    )
    await settle()
    while (!settled) {
      const next = this.live()[0]
      if (!next) throw new Error('ManualClock.run: the work waits, but no timer is left to fire')
      await this.advance(next.at - this.time)
    }
    return work
  }

  private live(): Timer[] {
    return this.timers.filter((t) => !t.done).sort((a, b) => a.at - b.at || a.order - b.order)
  }
}
