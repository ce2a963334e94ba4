/**
 * End-to-end, table-driven: the hostile-input table (__tests__/support/hostile-inputs.ts: every
 * input of action.yml with each kind of bad value) through the committed bundle (dist/index.js) in a
 * child process, against the local stand-in, the way the runner runs it.
 *
 * The unit test (__tests__/unit/hostile-inputs.test.ts) keeps the table in step with action.yml and
 * runs every row in process. Here: a sample of the refused values (`e2eSample`: one of each kind,
 * one of each context, and each kind of sensitive value) gets exactly one error that names the
 * input, exit code 1, nothing exported, no stack trace, no secret in the log, and zero requests to
 * the stand-in; every accepted example and the blank runs reach the stand-in without an error about
 * the input. Refused cases make no request, so they run two at a time; if the stand-in sees any
 * request, each case is run again alone to name the one that made it.
 */
import { beforeAll, describe, expect, it, jest } from '@jest/globals'
import {
  AUDIENCE,
  classified,
  CLIENT,
  e2eSample,
  exampleCases,
  GITHUB_ISSUER,
  NEW_VALUE,
  removeValueFiles,
  secretsOf,
  show,
  SP_ENV,
  SP_SECRET,
  STORED_VALUE,
  TENANT,
  writeValueFiles,
  type Context,
  type RefusedCase
} from '../support/hostile-inputs.js'
import { assertNoLeak, runAction, type RunResult } from '../support/runner.js'
import type { RequestRecord } from '../support/standin/index.js'
import { AllPermissions, useStandIn } from '../support/world.js'

jest.setTimeout(120_000)

// -- the world ------------------------------------------------------------------------------------

/** One RBAC vault with db-password, one app with a client secret and an OIDC trust for the default audience. */
const { s, seed } = useStandIn({
  seed: (s) => {
    s.addVault({ name: 'contoso-kv', tenantId: TENANT, grants: { [CLIENT]: AllPermissions } }).setSecret(
      'db-password',
      STORED_VALUE
    )
    s.addApp({
      tenantId: TENANT,
      clientId: CLIENT,
      clientSecret: SP_SECRET,
      federated: [{ issuer: GITHUB_ISSUER, subject: s.github.subject, audience: AUDIENCE }]
    })
  },
  afterStart: writeValueFiles,
  beforeStop: removeValueFiles
})

/** The runner's ID token variables only for OIDC contexts. */
const noOidc = { ACTIONS_ID_TOKEN_REQUEST_URL: undefined, ACTIONS_ID_TOKEN_REQUEST_TOKEN: undefined }

function runWith(inputs: Readonly<Record<string, string>>, context: Context): Promise<RunResult> {
  return runAction({
    inputs,
    env: { ...(context.oidc ? s.oidcEnv() : noOidc), ...context.env },
    standin: s,
    debug: true
  })
}

const STACK_LINE = /^\s+at \S/m

/** What holds for any run, refused or not: no crash, no stack trace, no secret in the log. */
function expectNoCrash(r: RunResult, secrets: readonly string[]): void {
  expect(r.timedOut).toBe(false)
  expect(r.signal).toBeNull()
  expect(r.stdout).not.toMatch(STACK_LINE)
  expect(r.stderr).not.toMatch(STACK_LINE)
  expect(r.fileCommandErrors).toEqual([])
  for (const error of r.errors)
    expect(error).not.toMatch(/Unexpected error|TypeError|ReferenceError|RangeError|\[object Object\]/)
  assertNoLeak(
    r,
    secrets.filter((value) => value.trim() !== ''),
    { perLine: true }
  )
}

const where = (r: RunResult, what: string): string => `${what}\nlog:\n${r.log.join('\n')}\nstderr:\n${r.stderr}`

// -- tests ----------------------------------------------------------------------------------------

describe('a bad value is refused with one error naming the input, before any request', () => {
  const results = new Map<RefusedCase, { r: RunResult; requests: readonly RequestRecord[] }>()

  beforeAll(async () => {
    seed()
    // Two at a time: refused runs make no request, so they cannot disturb each other.
    const queue = [...e2eSample]
    await Promise.all(
      [1, 2].map(async () => {
        for (let c = queue.shift(); c; c = queue.shift())
          results.set(c, {
            r: await runWith({ ...c.refused.context.inputs, [c.input]: c.value }, c.refused.context),
            requests: []
          })
      })
    )
    if (s.requests.length === 0) return
    // Some case reached the stand-in: run each again alone to learn which.
    for (const c of e2eSample) {
      seed()
      const r = await runWith({ ...c.refused.context.inputs, [c.input]: c.value }, c.refused.context)
      results.set(c, { r, requests: [...s.requests] })
    }
  })

  it.each(e2eSample.map((c) => [c.title, c] as const))('%s', (_, c) => {
    const result = results.get(c)
    if (!result) throw new Error(`no result for ${c.title}`)
    const { r, requests } = result
    const context = where(r, `input ${c.input} = ${show(c.value)} (${c.refused.context.name})`)
    expect({ exitCode: r.exitCode, context }).toEqual({ exitCode: 1, context })
    expect(r.conclusion).toBe('failure')
    expect(r.errors).toHaveLength(1)
    const [error = ''] = r.errors
    // Named as the subject of an input error, not merely mentioned in advice after a failed request.
    expect(error).toContain(`'${c.input}'`)
    if (c.refused.says === undefined) expect(error).toMatch(new RegExp(`^(Input )?'${c.input}'`))
    else expect(error).toContain(c.refused.says)
    expect(requests).toEqual([])
    expect(r.outputs).toEqual({})
    expect(r.env).toEqual({})
    // Only the mark that tells the post step it is the post step: no file was written.
    expect(r.state).toEqual({ 'written-files': '[]' })
    expect(r.summary).toBe('')
    expectNoCrash(r, secretsOf(c.input, c.value, c.refused.secrets))
  })
})

describe('an accepted value gets past input validation', () => {
  it.each(exampleCases.map((c) => [c.title, c] as const))('%s', async (_, c) => {
    const r = await runWith({ ...c.accepted.context.inputs, [c.input]: c.value }, c.accepted.context)
    const context = where(r, `input ${c.input} = ${show(c.value)} (${c.accepted.context.name})`)
    expect({ reachedAzure: s.requests.length > 0, context }).toEqual({ reachedAzure: true, context })
    if (c.accepted.failsAtAzure === undefined) {
      expect({ exitCode: r.exitCode, errors: r.errors, context }).toEqual({ exitCode: 0, errors: [], context })
    } else {
      expect(r.exitCode).toBe(1)
      expect(r.errors).toHaveLength(1)
      expect(r.errors[0]).not.toMatch(new RegExp(`^(Input )?'${c.input}'`))
    }
    expectNoCrash(r, secretsOf(c.input, c.value))
  })

  // Every input whose blank means its default (or "not given") is blank at once, with the other
  // inputs of a get or a set; sign-in comes from the AZURE_* fallbacks when its inputs are blank.
  const BlankRuns = [
    { base: { 'vault-name': 'contoso-kv', 'secret-name': 'db-password' }, operation: 'get' },
    {
      base: { 'vault-name': 'contoso-kv', operation: 'set', 'secret-name': 'api-key', 'secret-value': NEW_VALUE },
      operation: 'set'
    }
  ] as const
  it.each(
    (['empty', 'whitespace'] as const).flatMap((kind) => BlankRuns.map((run) => [kind, run.operation, run] as const))
  )('every input whose %s value means the default or "not given", all at once (%s)', async (kind, _, run) => {
    const blankValue = kind === 'empty' ? '' : ' \t\n '
    const blanked = classified.filter(
      ({ input, kind: k, classification: c }) =>
        k === kind && c.outcome === 'accepted' && c.blank && !(input in run.base)
    )
    const inputs = { ...run.base, ...Object.fromEntries(blanked.map(({ input }) => [input, blankValue])) }
    const r = await runAction({ inputs, env: { ...noOidc, ...SP_ENV }, standin: s, debug: true })
    expect(blanked.length).toBeGreaterThan(20)
    expect({ exitCode: r.exitCode, errors: r.errors, context: where(r, run.operation) }).toEqual({
      exitCode: 0,
      errors: [],
      context: where(r, run.operation)
    })
    expect(s.requests.length).toBeGreaterThan(0)
    expectNoCrash(r, secretsOf('', ''))
  })
})
