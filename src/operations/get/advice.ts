import type { GitHubSync } from '../../inputs/github.js'
import type { SecretEntry } from '../../inputs/entries.js'
import { loneTarget, recoverInstead, secretNotFound } from '../advice.js'
import type { OperationAdvice } from '../module.js'

/** What `get`'s failures mean (see OperationAdvice). */
export const getAdvice: OperationAdvice<{
  readonly targets: readonly SecretEntry[]
  readonly github?: GitHubSync
}> = {
  notFound: secretNotFound,
  purgeProtected: recoverInstead,
  loneSecret: loneTarget,
  // GitHub's key is read before the vault: a refusal there comes before any write.
  nothingWrittenTo: 'GitHub'
}
