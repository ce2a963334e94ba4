import * as core from '@actions/core'
import { createSignIn, type SignIn } from './auth/index.js'
import { explainFailure, serviceText } from './failures.js'
import { Inputs, State } from './constants.js'
import { readInputs, type ActionInputs } from './inputs.js'
import { logAzureSdkToDebug } from './logging.js'
import { publish } from './outputs.js'
import { logOutcome, summarize } from './summary.js'
import { createSecretClient, type Resilience } from './vault/client.js'
import { Deadline, RunTimedOut } from './vault/deadline.js'
import { performOperation } from './vault/operations.js'
import { vaultProxy } from './vault/proxy.js'
import { formatSeconds, VaultHealth } from './vault/retries.js'
import { Throttle } from './vault/throttle.js'

/** The main step: inputs -> sign in -> act on the vault -> mask and export -> summarize. */
export async function run(): Promise<void> {
  let inputs: ActionInputs | undefined
  let signIn: SignIn | undefined
  let resilience: Resilience | undefined
  core.saveState(State.IsPost, 'true')
  try {
    inputs = readInputs()
    logAzureSdkToDebug()
    // The `timeout` clock starts before sign-in: it bounds the whole run.
    resilience = {
      deadline: new Deadline(inputs.timeout),
      throttle: new Throttle(inputs.concurrency),
      health: new VaultHealth()
    }
    signIn = createSignIn(inputs.signIn)
    const client = createSecretClient(inputs.vault.url, signIn.credential, resilience)
    const outcome = await resilience.deadline.race(performOperation(client, inputs, resilience.deadline))
    logRetries(resilience, inputs.concurrency)
    const publication = publish(outcome, {
      exportEnv: inputs.exportEnv,
      parseJson: inputs.parseJson,
      minMaskLength: inputs.minMaskLength,
      environment: process.env
    })
    logOutcome(inputs.vault, outcome)
    // After the exports: a summary that cannot be written must not fail a step that exported.
    if (inputs.summary)
      await summarize(inputs.vault, outcome, publication).catch((error: unknown) =>
        core.warning(`Could not write the job summary: ${serviceText((error as Error).message)}`)
      )
  } catch (error) {
    core.setFailed(
      explainFailure(error, { inputs, signIn, resilience, proxy: inputs ? vaultProxy(inputs.vault.url) : undefined })
    )
    // Other requests of the run may still be waiting to retry: end them, so the step ends now.
    resilience?.deadline.stop()
    // Aborted requests end at once, but a token request may not listen to the signal: do not let
    // it hold the step open after the deadline.
    if (error instanceof RunTimedOut) setTimeout(() => process.exit(), 2000).unref()
  } finally {
    resilience?.deadline.dispose()
  }
}

/** One line when the vault throttled or failed requests that were retried, so a slow step says why. */
function logRetries({ health, throttle }: Resilience, concurrency: number): void {
  if (health.retries === 0) return
  const { throttled, lowestLimit, pausedMs } = throttle.report
  const throttling =
    throttled > 0
      ? ` ${throttled} ${throttled === 1 ? 'answer was' : 'answers were'} 429 (throttled): the step paused ${formatSeconds(pausedMs)} in all and came down from ${concurrency} to ${lowestLimit} ` +
        `request${lowestLimit === 1 ? '' : 's'} in flight. If this happens often, lower '${Inputs.Concurrency}' or spread out the jobs that use this vault.`
      : ''
  core.info(`Retried ${health.retries} request${health.retries === 1 ? '' : 's'} to Key Vault.${throttling}`)
}
