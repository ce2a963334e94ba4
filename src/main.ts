import * as core from '@actions/core'
import type { SecretClient } from '@azure/keyvault-secrets'
import { createSignIn, type SignIn } from './auth/index.js'
import { State, type Operation } from './constants.js'
import { readInputs, readMinMaskLength, secretInputs } from './operations/inputs.js'
import { planSignIn } from './inputs/signIn.js'
import { Inputs, InputTable } from './inputs/table.js'
import { logAzureSdkToDebug } from './logging.js'
import { maskValue } from './masking.js'
import { OperationModules, type ActionInputs, type InputsOf, type Module } from './operations/index.js'
import { WriteRecord } from './writeRecord.js'
import { applyPublication } from './publish/apply.js'
import type { GitHubTarget } from './github/client.js'
import type { GitHubSync } from './inputs/github.js'
import type { Vault } from './inputs/vault.js'
import { writeSummary } from './summary.js'
import { createSecretClient, type Resilience } from './vault/client.js'
import { Deadline, RunTimedOut, SystemClock } from './vault/deadline.js'
import { vaultProxy } from './vault/proxy.js'
import { VaultHealth } from './vault/health.js'
import { formatSeconds, serviceText } from './text.js'
import { Throttle } from './vault/throttle.js'

/**
 * The main step: mask the secret inputs -> read every input -> sign in -> the operation's work ->
 * decide what later steps get, then write it -> log and summarize.
 */
export async function run(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  let inputs: ActionInputs | undefined
  let signIn: SignIn | undefined
  let resilience: Resilience | undefined
  const written = new WriteRecord()
  // Ends what nobody waits for any more (a token asked early for a tenant the vault did not name).
  const ended = new AbortController()
  // The post step's record of files, saved before anything else: the runner hands the post step
  // this saved state over any STATE_ variable an earlier step wrote to GITHUB_ENV.
  core.saveState(State.WrittenFiles, '[]')
  try {
    inputs = readMasked(env)
    logAzureSdkToDebug()
    // The `timeout` clock starts before sign-in: it bounds the whole run.
    resilience = {
      deadline: new Deadline(inputs.timeout),
      throttle: new Throttle(inputs.concurrency),
      health: new VaultHealth()
    }
    const planned = createSignIn(planSignIn(inputs.signIn, env))
    signIn = planned
    const credential = planned.credential
    const shared = resilience
    // One client per vault, all with one credential: its token serves every vault of the cloud.
    const clients = new Map<string, SecretClient>()
    const clientFor = (vault: Vault): SecretClient => {
      const existing = clients.get(vault.url)
      if (existing) return existing
      const client = createSecretClient(vault.url, credential, shared)
      clients.set(vault.url, client)
      return client
    }
    const startSignIn = (): void => planned.startEarly(AbortSignal.any([shared.deadline.signal, ended.signal]))
    await carryOut(inputs, { clientFor, startSignIn, resilience, env, written })
  } catch (error) {
    // What explains a failure (every service's errors and advice) is loaded only when one happens.
    const { explainStepFailure } = await import('./failures/index.js')
    core.setFailed(
      explainStepFailure(error, {
        inputs,
        signIn,
        resilience,
        proxy: inputs ? vaultProxy(inputs.vault.url) : undefined,
        written
      })
    )
    // Other requests of the run may still be waiting to retry: end them, so the step ends now.
    resilience?.deadline.stop()
    // Aborted requests end at once, but a token request may not listen to the signal: do not let
    // it hold the step open after the deadline.
    if (error instanceof RunTimedOut) setTimeout(() => process.exit(), 2000).unref()
  } finally {
    ended.abort()
    resilience?.deadline.dispose()
  }
}

interface Run {
  readonly clientFor: (vault: Vault) => SecretClient
  /** Once the first request is on its way: the sign-in's own start (auth/index.ts). */
  readonly startSignIn: () => void
  readonly resilience: Resilience
  readonly env: NodeJS.ProcessEnv
  readonly written: WriteRecord
}

/**
 * The operation's work, then what it hands on: decided in full (every check that can fail the
 * step), then GitHub's copies, then what later steps get, written in one place.
 */
async function carryOut<K extends Operation>(inputs: InputsOf<K>, run: Run): Promise<void> {
  const { clientFor, startSignIn, resilience, env, written } = run
  const module: Module<K> = OperationModules[inputs.operation]
  // Before any request to the vault: a GitHub scope that cannot be written fails the step with nothing rotated.
  const sync = 'github' in inputs ? inputs.github : undefined
  const github = sync ? await resilience.deadline.race(connectGitHub(sync, resilience.deadline.signal)) : undefined
  const context = { clock: resilience.deadline, now: () => new Date(SystemClock.now()), clientFor, written }
  const work = module.run(clientFor(inputs.vault), inputs, context)
  // The first request (the vault's challenge) is on its way: sign in while it travels.
  setImmediate(startSignIn)
  let outcome = await resilience.deadline.race(work)
  logRetries(resilience, inputs.concurrency)
  let publication = module.decide(outcome, inputs, env)
  if (sync && github && module.gitHub) {
    const { handOnToGitHub } = await import('./operations/github.js')
    outcome = await resilience.deadline.race(handOnToGitHub(module.gitHub, { outcome, inputs, sync, github, written }))
    publication = module.decide(outcome, inputs, env)
  }
  const applied = applyPublication(publication)
  for (const line of module.log(inputs.vault, outcome)) core.info(line)
  // After the exports: a summary that cannot be written must not fail a step that exported.
  if (inputs.summary) {
    await writeSummary(inputs.vault, module.summary(outcome, publication, applied, inputs.vault)).catch(
      (error: unknown) => {
        core.warning(`Could not write the job summary: ${serviceText((error as Error).message)}`)
      }
    )
  }
}

/** Octokit is loaded only for a step that writes to GitHub. */
async function connectGitHub(sync: GitHubSync, signal: AbortSignal): Promise<GitHubTarget> {
  const client = await import('./github/client.js')
  return client.connectGitHub(sync, signal)
}

/**
 * The run's first steps: the secret inputs are masked before anything is read or printed, so no
 * later line can show them; then every input is read, and the values reading brought into being
 * (a generated value, a file's content) are masked before anything else happens.
 */
export function readMasked(env: NodeJS.ProcessEnv): ActionInputs {
  mask(secretInputs(env), minMaskLengthForMasking())
  const { inputs, newSecrets } = readInputs(env)
  mask(newSecrets, inputs.minMaskLength)
  return inputs
}

function mask(values: readonly string[], minMaskLength: number): void {
  for (const value of values) maskValue(value, minMaskLength)
}

/** The minimum to mask the secret inputs with; a bad `min-mask-length` is reported by readInputs, after them. */
function minMaskLengthForMasking(): number {
  try {
    return readMinMaskLength()
  } catch {
    return Number(InputTable.MinMaskLength.default)
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
