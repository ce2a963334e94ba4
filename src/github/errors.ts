/**
 * GitHub's refusals, in the action's own terms (no Octokit at runtime here: failures/ reads
 * these on every run, and a plain `get` must not load Octokit).
 */

/** What the action was doing when GitHub answered: reading the scope's public key, a repository's id, or writing a secret. */
export type GitHubStep = 'key' | 'repository' | 'write'

interface RefusalFields {
  /** The HTTP status; 0 when no answer came (a network error). */
  readonly status: number
  /** GitHub's `message`, or the network error's; shown only through serviceText. */
  readonly message: string
  readonly step: GitHubStep
  /** `repository octo-org/app`, ... */
  readonly where: string
  readonly secretName?: string
  /** The answer was not one GitHub gives (a malformed key, a missing id): it is not trusted. */
  readonly untrusted?: boolean
  /** The network error's code (ECONNREFUSED, ...). */
  readonly code?: string
  /** The permission the token needs for this scope, for the advice. */
  readonly need?: string
  /** GitHub's `x-accepted-github-permissions` header: the permission it wanted, e.g. `secrets=write`. */
  readonly accepted?: string
}

export class GitHubRefusal extends Error {
  override readonly name = 'GitHubRefusal'
  readonly status: number
  readonly serviceMessage: string
  readonly step: GitHubStep
  readonly where: string
  readonly secretName?: string
  readonly untrusted: boolean
  readonly code?: string
  readonly need?: string
  readonly accepted?: string

  constructor(fields: RefusalFields) {
    super(`GitHub answered ${fields.status} while ${fields.step === 'write' ? 'writing' : 'reading'} ${fields.where}`)
    this.status = fields.status
    this.serviceMessage = fields.message
    this.step = fields.step
    this.where = fields.where
    this.secretName = fields.secretName
    this.untrusted = fields.untrusted ?? false
    this.code = fields.code
    this.need = fields.need
    this.accepted = fields.accepted
  }

  /** An Octokit RequestError (or a network error under one) as a refusal; a refusal passes through with this step. */
  static from(error: unknown, context: Pick<RefusalFields, 'step' | 'where' | 'secretName' | 'need'>): GitHubRefusal {
    if (error instanceof GitHubRefusal) return new GitHubRefusal({ ...error.fields(), ...context })
    const err = (typeof error === 'object' && error !== null ? error : {}) as {
      status?: unknown
      message?: unknown
      response?: { data?: unknown; headers?: Record<string, unknown> }
      cause?: { code?: unknown; cause?: { code?: unknown } }
    }
    const data = err.response?.data
    const answered = err.response !== undefined && typeof err.status === 'number'
    const serviceMessage =
      typeof data === 'object' && data !== null && typeof (data as { message?: unknown }).message === 'string'
        ? (data as { message: string }).message
        : typeof data === 'string'
          ? data
          : ''
    const code = err.cause?.code ?? err.cause?.cause?.code
    const accepted = err.response?.headers?.['x-accepted-github-permissions']
    return new GitHubRefusal({
      ...context,
      status: answered ? (err.status as number) : 0,
      message: answered ? serviceMessage : typeof err.message === 'string' ? err.message : '',
      code: typeof code === 'string' ? code : undefined,
      // A header from whoever answered: kept only in GitHub's own shape (`name=level`, comma-separated).
      accepted:
        typeof accepted === 'string' && /^[a-z_]+=[a-z]+(?:[,;] ?[a-z_]+=[a-z]+){0,9}$/.test(accepted)
          ? accepted
          : undefined
    })
  }

  private fields(): RefusalFields {
    return {
      status: this.status,
      message: this.serviceMessage,
      step: this.step,
      where: this.where,
      secretName: this.secretName,
      untrusted: this.untrusted,
      code: this.code,
      need: this.need,
      accepted: this.accepted
    }
  }
}

/** A write to GitHub failed after others (and, for `set`, the Key Vault write) had succeeded. */
export class GitHubSyncIncomplete extends Error {
  override readonly name = 'GitHubSyncIncomplete'

  constructor(
    readonly refusal: GitHubRefusal,
    /** GitHub names written before the failure, in order. */
    readonly written: readonly string[],
    /** The one that failed, then those not tried. */
    readonly notWritten: readonly string[],
    readonly where: string,
    /** For `set`: the Key Vault version that now exists. */
    readonly keyVault?: { readonly secretName: string; readonly version: string }
  ) {
    super(`Writing GitHub secrets to ${where} stopped after ${written.length}`)
  }

  withKeyVault(secretName: string, version: string): GitHubSyncIncomplete {
    return new GitHubSyncIncomplete(this.refusal, this.written, this.notWritten, this.where, { secretName, version })
  }
}
