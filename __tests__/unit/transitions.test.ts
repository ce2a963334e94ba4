import { describe, expect, test } from '@jest/globals'
import { RestError } from '@azure/core-rest-pipeline'
import {
  StillInTransition,
  throughTransition,
  TransitionWaits,
  type TransitionClock
} from '../../src/vault/transitions.js'

function refused(status: number, inner?: string, message = 'refused'): RestError {
  const error = new RestError(message, { statusCode: status, code: status === 409 ? 'Conflict' : 'Other' })
  error.details = { error: { code: 'Conflict', message, innerError: inner ? { code: inner } : undefined } }
  return error
}

/** A clock that only moves when the code under test sleeps. */
function fakeClock(budgetMs: number): TransitionClock & { slept: number[] } {
  let used = 0
  const slept: number[] = []
  return {
    slept,
    remainingMs: () => budgetMs - used,
    sleep: async (ms) => {
      slept.push(ms)
      used += ms
    }
  }
}

/** Answers with the given errors in turn, then succeeds. */
function answers(...errors: Error[]): { request: () => Promise<string>; calls: () => number } {
  let calls = 0
  return {
    request: async () => {
      const error = errors[calls++]
      if (error) throw error
      return 'written'
    },
    calls: () => calls
  }
}

describe('throughTransition', () => {
  test('tries again while the vault is still finishing, waiting longer each time up to the cap', async () => {
    const clock = fakeClock(600_000)
    const { request, calls } = answers(...Array.from({ length: 6 }, () => refused(409, 'ObjectIsBeingDeleted')))
    await expect(throughTransition('db-password', request, ['beingDeleted'], clock, 'purge')).resolves.toBe('written')
    expect(calls()).toBe(7)
    expect(clock.slept).toEqual([500, 1000, 2000, 4000, 5000, 5000])
    expect(TransitionWaits.capMs).toBe(5000)
  })

  test('an answer of another kind goes straight to the caller, without a wait', async () => {
    const clock = fakeClock(600_000)
    const deleted = refused(409, 'ObjectIsDeletedButRecoverable')
    const { request, calls } = answers(refused(409, 'ObjectIsBeingRecovered'), deleted)
    await expect(throughTransition('db-password', request, ['beingDeleted', 'beingRecovered'], clock)).rejects.toBe(
      deleted
    )
    expect(calls()).toBe(2)
    expect(clock.slept).toEqual([500])
  })

  test('a condition not listed is not waited out', async () => {
    const clock = fakeClock(600_000)
    const recovering = refused(409, 'ObjectIsBeingRecovered')
    await expect(throughTransition('x', answers(recovering).request, ['beingDeleted'], clock)).rejects.toBe(recovering)
    expect(clock.slept).toEqual([])
  })

  test('isAlsoTransient adds answers to wait out (a purge of a delete still in progress can answer 404)', async () => {
    const clock = fakeClock(600_000)
    const { request, calls } = answers(refused(404), refused(409, undefined, 'Secret is currently being deleted.'))
    const isNotFound = (error: unknown): boolean => (error as { statusCode?: number }).statusCode === 404
    await expect(throughTransition('x', request, ['beingDeleted'], clock, 'delete', isNotFound)).resolves.toBe(
      'written'
    )
    expect(calls()).toBe(3)
  })

  test('gives up before the deadline, when the next wait would leave no room for one more request, and says how long it waited', async () => {
    // 0.5 + 1 + 2 = 3.5 s waited; the next wait (4 s) plus the reserve does not fit in the 3.5 s left.
    const clock = fakeClock(7000)
    const last = refused(409, 'ObjectIsBeingDeleted')
    const { request } = answers(
      refused(409, 'ObjectIsBeingDeleted'),
      refused(409, 'ObjectIsBeingDeleted'),
      refused(409, 'ObjectIsBeingDeleted'),
      last
    )
    const error = await throughTransition('db-password', request, ['beingDeleted'], clock, 'purge').catch(
      (caught: unknown) => caught
    )
    expect(error).toBeInstanceOf(StillInTransition)
    expect(error).toMatchObject({ condition: 'beingDeleted', attempts: 4, waitedMs: 3500, after: 'purge', cause: last })
    expect(clock.slept).toEqual([500, 1000, 2000])
  })

  test('a run already near its deadline does not wait at all', async () => {
    const clock = fakeClock(1000)
    const error = await throughTransition(
      'x',
      answers(refused(409, 'ObjectIsBeingRecovered')).request,
      ['beingRecovered'],
      clock,
      'recover'
    ).catch((caught: unknown) => caught)
    expect(error).toMatchObject({
      name: 'StillInTransition',
      condition: 'beingRecovered',
      attempts: 1,
      waitedMs: 0,
      after: 'recover'
    })
    expect(clock.slept).toEqual([])
  })

  test('a run stopped during a wait ends the loop with the stop reason', async () => {
    const stopped = new Error('The step stopped after a failure')
    const clock: TransitionClock = { remainingMs: () => 600_000, sleep: () => Promise.reject(stopped) }
    await expect(
      throughTransition('x', answers(refused(409, 'ObjectIsBeingDeleted')).request, ['beingDeleted'], clock)
    ).rejects.toBe(stopped)
  })
})
