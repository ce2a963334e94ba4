import * as core from '@actions/core'
import type { Operation } from '../constants.js'
import { ActionError, notOneOf } from '../errors.js'
import { quote } from '../text.js'
import { InputSpecs, type InputSpec } from './table.js'

type BooleanSpec = InputSpec & { readonly kind: 'boolean' }
type ChoiceSpec = InputSpec & { readonly kind: 'choice'; readonly choices: readonly string[]; readonly default: string }
type NumberSpec = InputSpec & {
  readonly kind: 'number'
  readonly bounds: { readonly min: number; readonly max: number }
  readonly default: string
}

/** The input as the runner passes it: trimmed, except a `value` (secret-value keeps its whitespace). */
export function readRaw(spec: InputSpec): string {
  return core.getInput(spec.name, { trimWhitespace: spec.kind !== 'value' })
}

/** A text input; empty when not given. */
export function readText(spec: InputSpec): string {
  return readRaw(spec)
}

/** `true` or `false` (any case); empty means the default, and undefined for an input without one. */
export function readBoolean(spec: BooleanSpec & { readonly default: 'true' | 'false' }): boolean
export function readBoolean(spec: BooleanSpec): boolean | undefined
export function readBoolean(spec: BooleanSpec): boolean | undefined {
  const raw = readRaw(spec) || spec.default
  if (raw === undefined) return undefined
  if (/^true$/i.test(raw)) return true
  if (/^false$/i.test(raw)) return false
  throw notOneOf(spec.name, raw, ['true', 'false'])
}

/** An enum input, any case; empty means its default, so `op: ${{ inputs.op }}` left blank still works. */
export function readChoice<S extends ChoiceSpec>(spec: S): S['choices'][number] {
  const raw = readRaw(spec)
  if (!raw) return spec.default
  const match = spec.choices.find((choice) => choice.toLowerCase() === raw.toLowerCase())
  if (!match) throw notOneOf(spec.name, raw, spec.choices)
  return match
}

/** A whole number within the input's bounds; empty means the default. */
export function readNumber(spec: NumberSpec): number {
  const raw = readRaw(spec)
  if (!raw) return Number(spec.default)
  const value = Number(raw)
  const { min, max } = spec.bounds
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw new ActionError(
      `Input '${spec.name}' has an invalid value ${quote(raw)}. Accepted: a whole number from ${min} to ${max}.`
    )
  }
  return value
}

/** Reads every boolean, choice and number input, so a typo never waits for the day its operation runs. */
export function checkEveryValue(): void {
  for (const spec of InputSpecs) {
    if (spec.kind === 'boolean') readBoolean(spec as BooleanSpec)
    else if (spec.kind === 'choice') readChoice(spec as ChoiceSpec)
    else if (spec.kind === 'number') readNumber(spec as NumberSpec)
  }
}

/**
 * An input given to an operation that does not use it is an error before any request, so a
 * mistyped `operation` cannot silently read instead of write. An input with a default counts as
 * given only when it says something else.
 */
export function checkUsedBy(operation: Operation): void {
  for (const spec of InputSpecs) {
    if (spec.usedBy === 'every' || spec.usedBy.includes(operation) || spec.ignoredElsewhere) continue
    if (!isGiven(spec)) continue
    throw new ActionError(spec.notUsed?.(operation) ?? notUsedMessage(spec, operation))
  }
}

function isGiven(spec: InputSpec): boolean {
  const raw = readRaw(spec)
  if (!raw) return false
  if (spec.default === undefined) return true
  if (spec.kind === 'number') return Number(raw) !== Number(spec.default)
  return raw.toLowerCase() !== spec.default.toLowerCase()
}

function notUsedMessage(spec: InputSpec, operation: Operation): string {
  const operations = spec.usedBy === 'every' ? [] : spec.usedBy
  const usedWith = operations.map((used) => `'operation: ${used}'`).join(' or ')
  return `Input '${spec.name}' is only used with ${usedWith}${spec.usedByHint ? ` ${spec.usedByHint}` : ''}, not '${operation}'. Remove it.`
}
