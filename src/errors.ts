import { quote } from './text.js'

/**
 * An error whose message is written for the user of the action: it names what was wrong and what
 * to do, and never carries a secret value. Anything else that reaches the top is unexpected.
 */
export class ActionError extends Error {
  override readonly name = 'ActionError'
}

/** The error for an input whose value is not one of a fixed set. */
export function notOneOf(input: string, value: string, accepted: readonly string[]): ActionError {
  return new ActionError(
    `Input '${input}' has an unknown value ${quote(value)}. Accepted values: ${accepted.join(', ')}.`
  )
}
