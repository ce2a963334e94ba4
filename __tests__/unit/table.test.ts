/**
 * The input table drives reading: these cases come from it, not from a list kept beside it, so a
 * new input is checked the day it is added. Each bad value is refused before any request, by one
 * message that names the input, says what was wrong and what is accepted, and does not echo a
 * secret input's value.
 */
import { describe, expect, test } from '@jest/globals'
import { Operations, type Operation } from '../../src/constants.js'
import { ActionError } from '../../src/errors.js'
import { readInputs } from '../../src/operations/inputs.js'
import { InputSpecs, type InputSpec } from '../../src/inputs/table.js'
import { captureStdout, isolateEnv, setInputs, thrownBy } from './helpers.js'

isolateEnv()
captureStdout()

/** What the runner sets that inputs may fall back to (tag-provenance reads the run's variables). */
const RunnerEnv: NodeJS.ProcessEnv = {
  GITHUB_REPOSITORY: 'octo-org/app',
  GITHUB_WORKFLOW: 'rotate',
  GITHUB_RUN_ID: '42',
  GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567'
}

/** The least each operation needs to be read without an error. */
const Valid: Readonly<Record<Operation, Readonly<Record<string, string>>>> = {
  get: { 'secret-name': 'db-password' },
  set: { 'secret-name': 'db-password', 'secret-value': 'Sup3r-Secret' },
  delete: { 'secret-name': 'db-password' },
  recover: { 'secret-name': 'db-password' },
  purge: { 'secret-name': 'db-password' },
  list: {}
}

/** The inputs of one step: those of an earlier one in the same test are gone, as they are for the runner. */
function inputsFor(operation: Operation, extra: Record<string, string>): Record<string, string> {
  for (const name of Object.keys(process.env)) if (name.startsWith('INPUT_')) delete process.env[name]
  return { 'vault-name': 'contoso-kv', operation, ...Valid[operation], ...extra }
}

function refusal(operation: Operation, extra: Record<string, string>): ActionError {
  setInputs(inputsFor(operation, extra))
  const error = thrownBy(() => readInputs(RunnerEnv))
  expect(error).toBeInstanceOf(ActionError)
  return error as ActionError
}

/** A value the input accepts that differs from its default: given to an operation that does not use it, it is refused. */
function acceptedNonDefault(spec: InputSpec): string {
  switch (spec.kind) {
    case 'boolean':
      return spec.default === 'true' ? 'false' : 'true'
    case 'choice':
      return (spec.choices ?? []).find((choice) => choice !== spec.default) ?? ''
    case 'number':
      return String(spec.bounds?.min === Number(spec.default) ? spec.bounds?.max : spec.bounds?.min)
    default:
      return 'given-text-7'
  }
}

const booleans = InputSpecs.filter((spec) => spec.kind === 'boolean')
const choices = InputSpecs.filter((spec) => spec.kind === 'choice' && spec.name !== 'operation')
const numbers = InputSpecs.filter((spec) => spec.kind === 'number')
const usedByOne = (spec: InputSpec): Operation => (spec.usedBy === 'every' ? 'get' : (spec.usedBy[0] ?? 'get'))

describe('every boolean input', () => {
  test('the table has them (not vacuous)', () => expect(booleans.length).toBeGreaterThanOrEqual(8))

  test.each(booleans.map((spec) => [spec.name, spec] as const))(
    "%s: 'yes' is refused, naming true and false",
    (name, spec) => {
      expect(refusal(usedByOne(spec), { [name]: 'yes' }).message).toBe(
        `Input '${name}' has an unknown value 'yes'. Accepted values: true, false.`
      )
    }
  )

  test.each(booleans.map((spec) => [spec.name, spec] as const))(
    '%s: TRUE and False are read, as the runner allows',
    (name, spec) => {
      setInputs(inputsFor(usedByOne(spec), { [name]: name === 'generate' ? 'False' : 'TRUE' }))
      expect(() => readInputs(RunnerEnv)).not.toThrow()
    }
  )
})

describe('every choice input', () => {
  test('the table has them (not vacuous)', () => expect(choices.length).toBeGreaterThanOrEqual(4))

  test.each(choices.map((spec) => [spec.name, spec] as const))(
    '%s: an unknown value is refused with the accepted ones',
    (name, spec) => {
      expect(refusal(usedByOne(spec), { [name]: 'no-such-choice' }).message).toBe(
        `Input '${name}' has an unknown value 'no-such-choice'. Accepted values: ${(spec.choices ?? []).join(', ')}.`
      )
    }
  )
})

describe('every number input', () => {
  test('the table has them (not vacuous)', () => expect(numbers.length).toBeGreaterThanOrEqual(4))

  const cases = numbers.flatMap((spec) => {
    const { min, max } = spec.bounds ?? { min: 0, max: 0 }
    return [String(min - 1), String(max + 1), '1.5', '1e3', '0x10', ' 7 x', '-0'].map(
      (raw) => [spec.name, raw, spec] as const
    )
  })
  test.each(cases)("%s: '%s' is refused with the bounds", (name, raw, spec) => {
    const { min, max } = spec.bounds ?? { min: 0, max: 0 }
    expect(refusal(usedByOne(spec), { [name]: raw }).message).toBe(
      `Input '${name}' has an invalid value '${raw.trim()}'. Accepted: a whole number from ${min} to ${max}.`
    )
  })

  test.each(numbers.map((spec) => [spec.name, spec] as const))('%s: both bounds are accepted', (name, spec) => {
    for (const bound of [spec.bounds?.min, spec.bounds?.max]) {
      setInputs(inputsFor(usedByOne(spec), { [name]: String(bound) }))
      expect(() => readInputs(RunnerEnv)).not.toThrow()
    }
  })
})

describe('an input given to an operation that does not use it', () => {
  const cases = InputSpecs.flatMap((spec) =>
    spec.usedBy === 'every' || spec.ignoredElsewhere
      ? []
      : Operations.filter((operation) => !spec.usedBy.includes(operation)).map(
          (operation) => [spec.name, operation, spec] as const
        )
  )
  test('there are such cases (not vacuous)', () => expect(cases.length).toBeGreaterThanOrEqual(60))

  test.each(cases)('%s with %s is refused, naming the input', (name, operation, spec) => {
    setInputs(inputsFor(operation, { [name]: acceptedNonDefault(spec) }))
    const error = thrownBy(() => readInputs(RunnerEnv))
    expect(error).toBeInstanceOf(ActionError)
    expect(error.message).toMatch(new RegExp(`^Input '${name}' is (only used with|not used with)`))
    if (spec.secret) expect(error.message).not.toContain(acceptedNonDefault(spec))
  })

  test.each(
    InputSpecs.filter((spec) => spec.default !== undefined && spec.usedBy !== 'every').map(
      (spec) => [spec.name, spec] as const
    )
  )('%s at its default is accepted by every operation (the runner passes defaults)', (name, spec) => {
    const refusedBy = Operations.filter((operation) => {
      setInputs(inputsFor(operation, { [name]: spec.default ?? '' }))
      try {
        readInputs(RunnerEnv)
        return false
      } catch {
        return true
      }
    })
    expect(refusedBy).toEqual([])
  })
})
