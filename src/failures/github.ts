import { explainGitHubRefusal, explainIncomplete } from '../github/advice.js'
import { GitHubSyncIncomplete, type GitHubRefusal } from '../github/errors.js'
import { OperationModules } from '../operations/index.js'
import { serviceText } from '../text.js'
import type { FailureContext } from './context.js'

/**
 * GitHub refused, before the first write (the step's operation says what that left unwritten) or
 * part-way (src/github/advice.ts says what now exists where).
 */
export function explainGitHubFailure(error: GitHubRefusal | GitHubSyncIncomplete, { inputs }: FailureContext): string {
  if (error instanceof GitHubSyncIncomplete) return explainIncomplete(error, { serviceText })
  const nothing = (inputs && OperationModules[inputs.operation].advice.nothingWrittenTo) ?? 'GitHub'
  return `${explainGitHubRefusal(error, { serviceText })} Nothing was written to ${nothing}, and no outputs were set.`
}
