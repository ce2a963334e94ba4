import * as core from '@actions/core'
import { createSignIn, type SignIn } from './auth/index.js'
import { explainFailure } from './failures.js'
import { readInputs, type ActionInputs } from './inputs.js'
import { logAzureSdkToDebug } from './logging.js'
import { publish } from './outputs.js'
import { logOutcome, summarize } from './summary.js'
import { createSecretClient } from './vault/client.js'
import { performOperation } from './vault/operations.js'

/** The main step: inputs -> sign in -> act on the vault -> mask and export -> summarize. */
export async function run(): Promise<void> {
  let inputs: ActionInputs | undefined
  let signIn: SignIn | undefined
  try {
    inputs = readInputs()
    logAzureSdkToDebug()
    signIn = createSignIn(inputs.signIn)
    const client = createSecretClient(inputs.vault.url, signIn.credential)
    const outcome = await performOperation(client, inputs)
    const publication = publish(outcome, inputs.exportEnv, inputs.parseJson)
    logOutcome(inputs.vault, outcome)
    if (inputs.summary) await summarize(inputs.vault, outcome, publication)
  } catch (error) {
    core.setFailed(explainFailure(error, { inputs, signIn }))
  }
}
