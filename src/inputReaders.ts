import * as core from '@actions/core'
import { ActionError, notOneOf, quote } from './errors.js'

/** An enum input; empty means its default, so `op: ${{ inputs.op }}` left blank still works. */
export function readChoice<T extends string>(input: string, accepted: readonly T[], fallback: T): T {
  const raw = core.getInput(input)
  if (!raw) return fallback
  const match = accepted.find((choice) => choice.toLowerCase() === raw.toLowerCase())
  if (!match) throw notOneOf(input, raw, accepted)
  return match
}

/** `true` or `false` (any case); empty means the default. */
export function readBoolean(input: string, fallback: boolean): boolean
export function readBoolean(input: string, fallback: undefined): boolean | undefined
export function readBoolean(input: string, fallback: boolean | undefined): boolean | undefined {
  const raw = core.getInput(input)
  if (!raw) return fallback
  if (/^true$/i.test(raw)) return true
  if (/^false$/i.test(raw)) return false
  throw notOneOf(input, raw, ['true', 'false'])
}

/** A whole number within bounds; empty means the default. */
export function readWholeNumber(
  input: string,
  bounds: { readonly min: number; readonly max: number; readonly fallback: number }
): number {
  const raw = core.getInput(input)
  if (!raw) return bounds.fallback
  const value = Number(raw)
  if (!/^\d+$/.test(raw) || value < bounds.min || value > bounds.max) {
    throw new ActionError(
      `Input '${input}' has an invalid value ${quote(raw)}. Accepted: a whole number from ${bounds.min} to ${bounds.max}.`
    )
  }
  return value
}

/** The error for an input given with an operation that does not use it. */
export function notUsedWith(input: string, operation: string, usedWith: string): ActionError {
  return new ActionError(`Input '${input}' is only used with ${usedWith}, not '${operation}'. Remove it.`)
}
