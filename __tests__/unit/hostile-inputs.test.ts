/**
 * The hostile-input contract (__tests__/support/hostile-inputs.ts), every row, in process: the
 * table covers every input of action.yml; every refused value stops the step before any request
 * with exactly one error naming the input, no stack trace, and no secret in what GitHub shows; every
 * accepted value gets past input validation. __tests__/e2e/hostile-inputs.test.ts runs a sample of
 * the refused values, every accepted example and the blank runs through the committed bundle.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import YAML from 'yaml'
import {
  classified,
  e2eSample,
  exampleCases,
  Kinds,
  NEW_VALUE,
  refusedCases,
  removeValueFiles,
  secretsOf,
  SensitiveInputs,
  show,
  SP_ENV,
  Table,
  writeValueFiles,
  type Context,
  type RefusedCase
} from '../support/hostile-inputs.js'
import { assertNoLeak, repoRoot } from '../support/runner.js'
import { captureStdout, isolateEnv } from './helpers.js'
import { runInProcess, type InProcessRun } from './inProcess.js'

isolateEnv()
const stdout = captureStdout()

beforeAll(writeValueFiles)
afterAll(removeValueFiles)

/** As the end-to-end test runs them: the runner's ID token variables only for OIDC contexts, step debug on. */
function run(inputs: Readonly<Record<string, string>>, context: Context): InProcessRun {
  const noOidc = { ACTIONS_ID_TOKEN_REQUEST_URL: undefined, ACTIONS_ID_TOKEN_REQUEST_TOKEN: undefined }
  const oidc = {
    ACTIONS_ID_TOKEN_REQUEST_URL: 'https://pipelines.actions.githubusercontent.com/oidc/token?api-version=2.0',
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'request-token'
  }
  return runInProcess(stdout, inputs, { env: { ...(context.oidc ? oidc : noOidc), ...context.env }, debug: true })
}

const STACK_LINE = /^\s+at \S/m

describe('the table covers action.yml', () => {
  const actionYml = YAML.parse(readFileSync(join(repoRoot, 'action.yml'), 'utf8')) as {
    inputs?: Record<string, unknown>
  }
  const declared = Object.keys(actionYml.inputs ?? {})

  test('classifies every input that action.yml declares', () => {
    const missing = declared
      .filter((input) => !(input in Table))
      .map(
        (input) =>
          `action.yml declares input '${input}', but the hostile-input table has no row for it: add '${input}': { ${Kinds.join(', ')} } to Table`
      )
    expect(missing).toEqual([])
  })

  test('has no row for an input that action.yml does not declare', () => {
    const stale = Object.keys(Table).filter((input) => !declared.includes(input))
    expect(
      stale.map((input) => `the hostile-input table has a row for '${input}', which action.yml does not declare`)
    ).toEqual([])
  })

  test('treats every input that holds a credential or a value as sensitive', () => {
    // A new secret input must join SensitiveInputs, so its values are checked for leaks.
    const secretLike = declared.filter((input) => /(^|-)(secret|creds|password|token|key)(-value)?$/.test(input))
    expect(secretLike.sort()).toEqual([...SensitiveInputs].sort())
  })

  test('gives a reason for every value it accepts and every kind that does not apply', () => {
    const unexplained = classified.filter(({ classification: c }) => c.outcome !== 'refused' && c.reason.trim() === '')
    expect(unexplained.map(({ input, kind }) => `${input}, ${kind}`)).toEqual([])
  })

  test('the end-to-end sample has a refused value of every kind and of every context', () => {
    const kinds = (cases: readonly RefusedCase[]): string[] => [...new Set(cases.map((c) => c.kind))].sort()
    const contexts = (cases: readonly RefusedCase[]): string[] =>
      [...new Set(cases.map((c) => c.refused.context.name))].sort()
    expect(kinds(e2eSample)).toEqual(kinds(refusedCases))
    expect(contexts(e2eSample)).toEqual(contexts(refusedCases))
    expect(e2eSample.length).toBeLessThan(refusedCases.length / 4)
  })
})

describe('a bad value is refused with one error naming the input, before any request', () => {
  test.each(refusedCases.map((c) => [c.title, c] as const))('%s', (_, c) => {
    const r = run({ ...c.refused.context.inputs, [c.input]: c.value }, c.refused.context)
    const context = `input ${c.input} = ${show(c.value)} (${c.refused.context.name})\nlog:\n${r.log.join('\n')}`
    expect({ refused: r.thrown !== undefined, context }).toEqual({ refused: true, context })
    expect(r.errors).toHaveLength(1)
    const [error = ''] = r.errors
    // Named as the subject of an input error, not merely mentioned in advice.
    expect(error).toContain(`'${c.input}'`)
    if (c.refused.says === undefined) expect(error).toMatch(new RegExp(`^(Input )?'${c.input}'`))
    else expect(error).toContain(c.refused.says)
    expect(error).not.toMatch(STACK_LINE)
    expect(error).not.toMatch(/Unexpected error|TypeError|ReferenceError|RangeError|\[object Object\]/)
    assertNoLeak(
      r,
      secretsOf(c.input, c.value, c.refused.secrets).filter((value) => value.trim() !== ''),
      { perLine: true }
    )
  })
})

describe('an accepted value gets past input validation', () => {
  test.each(exampleCases.map((c) => [c.title, c] as const))('%s', (_, c) => {
    const r = run({ ...c.accepted.context.inputs, [c.input]: c.value }, c.accepted.context)
    expect({ thrown: r.thrown, errors: r.errors }).toEqual({ thrown: undefined, errors: [] })
    assertNoLeak(
      r,
      secretsOf(c.input, c.value).filter((value) => value.trim() !== ''),
      { perLine: true }
    )
  })

  const BlankRuns = [
    { base: { 'vault-name': 'contoso-kv', 'secret-name': 'db-password' }, operation: 'get' },
    {
      base: { 'vault-name': 'contoso-kv', operation: 'set', 'secret-name': 'api-key', 'secret-value': NEW_VALUE },
      operation: 'set'
    }
  ] as const
  test.each(
    (['empty', 'whitespace'] as const).flatMap((kind) =>
      BlankRuns.map((blank) => [kind, blank.operation, blank] as const)
    )
  )('every input whose %s value means the default or "not given", all at once (%s)', (kind, _, blankRun) => {
    const blankValue = kind === 'empty' ? '' : ' \t\n '
    const blanked = classified.filter(
      ({ input, kind: k, classification: c }) =>
        k === kind && c.outcome === 'accepted' && c.blank && !(input in blankRun.base)
    )
    expect(blanked.length).toBeGreaterThan(20)
    const inputs = { ...blankRun.base, ...Object.fromEntries(blanked.map(({ input }) => [input, blankValue])) }
    const r = run(inputs, { name: blankRun.operation, inputs, env: SP_ENV })
    expect({ thrown: r.thrown, errors: r.errors }).toEqual({ thrown: undefined, errors: [] })
  })
})
