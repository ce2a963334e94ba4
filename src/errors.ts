import type { Operation } from './constants.js'
import type { Vault } from './inputs/vault.js'

/**
 * An error whose message is written for the user of the action: it names what was wrong and what
 * to do, and never carries a secret value. Anything else that reaches the top is unexpected.
 */
export class ActionError extends Error {
  override readonly name = 'ActionError'
}

/**
 * Quotes a (non-secret) value for a message: one a user gave, or a name a vault sent. Shortened
 * if it is long; control and format characters shown escaped (\n, \t, \u202e), so it stays one
 * line that shows what is really there.
 */
export function quote(value: string): string {
  const shown = value.length > 80 ? `${value.slice(0, 77)}...` : value
  return `'${shown.replace(/[\p{Cc}\p{Cf}]/gu, escapeChar)}'`
}

const NamedEscapes: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' }
const escapeChar = (char: string): string =>
  NamedEscapes[char] ?? `\\u${(char.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`

/** The error for an input whose value is not one of a fixed set. */
export function notOneOf(input: string, value: string, accepted: readonly string[]): ActionError {
  return new ActionError(
    `Input '${input}' has an unknown value ${quote(value)}. Accepted values: ${accepted.join(', ')}.`
  )
}

/**
 * A vault request for one secret failed; carries the name so the message can say which, and the
 * operation whose permission the request needed (a `set` may first `get`, or `recover`).
 */
export class SecretFailure extends Error {
  override readonly name = 'SecretFailure'
  constructor(
    readonly secretName: string,
    override readonly cause: unknown,
    readonly operation?: Operation,
    /** The secret's vault, when it is not the step's (a full identifier). */
    readonly vault?: Vault,
    /** A read refused because the secret expired (SecretExpired): when, as its versions listing says. */
    readonly expiredOn?: Date
  ) {
    super(`Request for secret '${secretName}' failed`)
  }
}
