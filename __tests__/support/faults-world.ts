/**
 * The world of the fault tests (faults.test.ts, faults-throttling.test.ts): one vault with one
 * secret and its OIDC app, a get of it, and what the tests read of the requests. Imported at the top
 * of a test file: useStandIn registers that file's hooks.
 */
import { expect } from '@jest/globals'
import { assertNoLeak, type RunOptions, type RunResult } from './runner.js'
import { ThrottledMessage, type FaultRequest, type RequestRecord } from './standin/index.js'
import { expectFailure as expectOneFailure } from './steps.js'
import { useStandIn } from './world.js'

export const TENANT = '3c2b1a09-8f7e-4d6c-9b5a-4e3d2c1b0a99'
export const APP = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d'
export const VAULT = 'faults-kv'
export const VALUE = 'Fault-Tolerant-V@lue-42'

export const { s, step, vault, waiting, timed } = useStandIn({
  vault: {
    name: VAULT,
    tenantId: TENANT,
    clientId: APP,
    grants: ['get', 'list', 'delete'],
    secrets: { 'db-password': VALUE }
  }
})

/** A get of db-password, unless `inputs` say otherwise. */
export const run = (
  inputs: Record<string, string> = {},
  options?: Omit<RunOptions, 'inputs' | 'standin'>
): Promise<RunResult> => step({ 'secret-name': 'db-password', ...inputs }, options)

/** Authenticated reads of the secret: the requests a fault should hit (not the bodyless challenge). */
export const readOfSecret = (r: FaultRequest): boolean =>
  r.service === 'vault' &&
  r.method === 'GET' &&
  r.path.startsWith('/secrets/db-password') &&
  r.headers.authorization !== undefined
export const tokenRequest = (r: FaultRequest): boolean =>
  r.service === 'entra' && r.method === 'POST' && r.path.endsWith('/oauth2/v2.0/token')

export const throttledBody = { error: { code: 'Throttled', message: ThrottledMessage } }
export const unavailableBody = {
  error: { code: 'ServiceUnavailable', message: 'The service is temporarily unavailable. Please try again later.' }
}

/** `GET 429*`: method, status, and * for an answer from a fault. */
export const vaultCalls = (): string[] =>
  s.requestsTo('vault').map((r) => `${r.method} ${r.status}${r.fault ? '*' : ''}`)
export const authorizedReads = (): RequestRecord[] =>
  s.requestsTo('vault', 'GET').filter((r) => r.authorized || r.fault)

export function expectValue(r: RunResult): void {
  expect({ exitCode: r.exitCode, errors: r.errors }).toEqual({ exitCode: 0, errors: [] })
  expect(r.outputs.value).toBe(VALUE)
  assertNoLeak(r, [VALUE])
}

/** steps.ts's expectFailure, and the value in no log. */
export function expectFailure(r: RunResult, ...phrases: string[]): string {
  const error = expectOneFailure(r, ...phrases)
  assertNoLeak(r, [VALUE])
  return error
}

/** Milliseconds between an answer and the arrival of the next request. */
export const gapsAfter = (records: readonly RequestRecord[]): number[] =>
  records.slice(1).map((r, i) => r.arrived - (records[i] as RequestRecord).time)
