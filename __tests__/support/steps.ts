/**
 * What the end-to-end files share: a step run with OIDC against one stand-in vault, and the
 * outcomes every step must meet (success; or one error, nothing exported, no stack trace).
 */
import { expect } from '@jest/globals'
import { runAction, type RunOptions, type RunResult } from './runner.js'
import type { StandIn } from './standin/index.js'

export interface StepTarget {
  readonly vault: string
  readonly clientId: string
  readonly tenantId: string
}

export type StepRun = (
  inputs: Record<string, string>,
  options?: Omit<RunOptions, 'inputs' | 'standin'>
) => Promise<RunResult>

/** Runs the committed action with OIDC (the job's ID token request variables) against `target`; `standin` is read at each run. */
export function oidcStep(standin: () => StandIn, target: StepTarget): StepRun {
  return (inputs, options = {}) => {
    const s = standin()
    return runAction({
      ...options,
      inputs: { 'vault-name': target.vault, 'client-id': target.clientId, 'tenant-id': target.tenantId, ...inputs },
      standin: s,
      env: { ...s.oidcEnv(), ...options.env }
    })
  }
}

export function expectSuccess(r: RunResult): void {
  expect({ exitCode: r.exitCode, errors: r.errors }).toEqual({ exitCode: 0, errors: [] })
  expect(r.conclusion).toBe('success')
}

/** Exactly one error holding every phrase, nothing exported, no stack trace; returns the error. */
export function expectFailure(r: RunResult, ...phrases: string[]): string {
  expect(r.exitCode).toBe(1)
  expect(r.errors).toHaveLength(1)
  const [error = ''] = r.errors
  for (const phrase of phrases) expect(error).toContain(phrase)
  expect(r.outputs).toEqual({})
  expect(r.env).toEqual({})
  expect(r.stderr).not.toMatch(/\n\s+at /)
  return error
}

/** `PUT /secrets/db-password 409`: the vault requests the stand-in saw, in order. */
export const vaultCalls = (s: StandIn, method?: string): string[] =>
  s.requestsTo('vault', method).map((req) => `${req.method} ${req.path} ${req.status}`)
