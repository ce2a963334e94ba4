/**
 * The main step up to its first request, in process: inputs set as the runner sets them (every input
 * action.yml declares, given or its default or ''), then what src/main.ts does before it sends
 * anything (readMasked, then createSignIn of the planned sign-in), and a refusal reported as main reports it
 * (explainFailure, then an `::error::` line). What the step wrote to stdout (add-mask lines, debug
 * lines, the error) goes through the runner's command parsing and masking (support/masking.ts), so
 * the log, errors and debug messages are what GitHub would show. Use with isolateEnv() and
 * captureStdout() (helpers.ts): one run per test.
 */
import * as core from '@actions/core'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createSignIn } from '../../src/auth/index.js'
import { explainFailure } from '../../src/failures/index.js'
import { planSignIn } from '../../src/inputs/signIn.js'
import { readMasked } from '../../src/main.js'
import { processStepOutput, splitOutputLines } from '../support/masking.js'
import { inputEnvName, readActionDefinition, repoRoot, RunContext } from '../support/runner.js'
import type { CapturedStdout } from './helpers.js'

const definition = readActionDefinition(join(repoRoot, 'action.yml'))

export interface InProcessRun {
  /** The ActionError (or other error) that stopped the step before any request; undefined when none did. */
  readonly thrown: unknown
  /** What GitHub shows: masked, `::debug::` only when `debug`. */
  readonly log: string[]
  readonly errors: string[]
  readonly debug: string[]
  /** The raw step summary: nothing is written before the first request. */
  readonly summary: string
}

export function runInProcess(
  stdout: CapturedStdout,
  inputs: Readonly<Record<string, string>>,
  options: { readonly env?: Readonly<Record<string, string | undefined>>; readonly debug?: boolean } = {}
): InProcessRun {
  const work = mkdtempSync(join(tmpdir(), 'kv-in-process-'))
  try {
    for (const [name, spec] of Object.entries(definition.inputs))
      process.env[inputEnvName(name)] = inputs[name] ?? spec.default ?? ''
    for (const [name, value] of Object.entries(inputs)) process.env[inputEnvName(name)] = value
    Object.assign(process.env, RunContext)
    process.env.RUNNER_TEMP = work
    if (options.debug) process.env.RUNNER_DEBUG = '1'
    for (const [name, value] of Object.entries(options.env ?? {})) {
      if (value === undefined) delete process.env[name]
      else process.env[name] = value
    }
    let thrown: unknown
    try {
      createSignIn(planSignIn(readMasked(process.env).signIn, process.env))
    } catch (error) {
      thrown = error
      // As main does, but without core.setFailed's process.exitCode, which would fail the test run.
      core.error(explainFailure(error, {}))
    }
    const lines = splitOutputLines(stdout.text()).map((text) => ({ stream: 'stdout' as const, text }))
    const processed = processStepOutput(lines, { debug: options.debug ?? false })
    return { thrown, log: processed.log, errors: processed.errors, debug: processed.debug, summary: '' }
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}
