import * as core from '@actions/core'
import { Inputs } from '../inputs/table.js'
import { formatSeconds } from '../text.js'
import { conditionOf, refusalOf, type VaultCondition } from './serviceErrors.js'

/**
 * A purge, a recover or a delete is accepted before it is finished, and Key Vault gives no signal
 * when it is: until then a write of the name answers 409 (ObjectIsBeingDeleted,
 * ObjectIsBeingRecovered: "retry later"), for seconds after a purge in the recorded traffic, and a
 * purge during a delete answers 409 too. Such a request is tried again, waiting longer each time,
 * for as long as the run's `timeout` leaves room.
 */
export const TransitionWaits = {
  firstMs: 500,
  capMs: 5000,
  /** Time kept for one more request and the report after the last wait. */
  reserveMs: 2000
} as const

/** The vault was still finishing an earlier purge, recover or delete when the run had to stop waiting. */
export class StillInTransition extends Error {
  override readonly name = 'StillInTransition'
  constructor(
    readonly condition: VaultCondition,
    readonly attempts: number,
    readonly waitedMs: number,
    /** What this step had done to the secret just before, if anything. */
    readonly after: TransitionCause | undefined,
    override readonly cause: unknown
  ) {
    super(`Key Vault was still finishing an operation on the secret after ${attempts} attempts`)
  }
}

/** What this step did to the secret that the vault is still finishing. */
export type TransitionCause = 'purge' | 'recover' | 'delete'

export interface TransitionClock {
  /** Time left before the run's deadline. */
  remainingMs(): number
  /** Waits `ms`, or rejects when the run is stopped. */
  sleep(ms: number): Promise<void>
}

/**
 * Sends `request`, and again while the vault answers with one of `conditions`. Gives up with
 * StillInTransition, before the deadline, when the next wait would not leave room for a request.
 */
export async function throughTransition<T>(
  secretName: string,
  request: () => Promise<T>,
  conditions: readonly VaultCondition[],
  clock: TransitionClock,
  after?: TransitionCause,
  isAlsoTransient: (error: unknown) => boolean = () => false
): Promise<T> {
  let waitedMs = 0
  for (let attempt = 1; ; attempt++) {
    try {
      return await request()
    } catch (error) {
      const condition = conditionOf(error)
      const inTransition = condition !== undefined && conditions.includes(condition)
      if (!inTransition && !isAlsoTransient(error)) throw error
      const waitMs = Math.min(TransitionWaits.capMs, TransitionWaits.firstMs * 2 ** (attempt - 1))
      if (clock.remainingMs() < waitMs + TransitionWaits.reserveMs) {
        throw new StillInTransition(condition ?? 'beingDeleted', attempt, waitedMs, after, error)
      }
      if (attempt === 1) {
        core.info(
          `Key Vault is still finishing ${describe(condition, after)} of secret '${secretName}'; trying again for up to ${formatSeconds(clock.remainingMs())} ('${Inputs.Timeout}').`
        )
      }
      core.debug(
        `Secret '${secretName}': attempt ${attempt} answered ${refusalOf(error).status ?? 'no status'}; next in ${formatSeconds(waitMs)}`
      )
      await clock.sleep(waitMs)
      waitedMs += waitMs
    }
  }
}

function describe(condition: VaultCondition | undefined, after: TransitionCause | undefined): string {
  if (after) return `the ${after === 'recover' ? 'recovery' : after}`
  return condition === 'beingRecovered' ? 'a recovery' : 'a delete or purge'
}
