import type { Operation } from '../constants.js'
import type { Vault } from '../inputs/vault.js'

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
