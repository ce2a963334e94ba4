/**
 * Shared helpers for the unit tests: a clean process.env per test, inputs set the way the runner
 * sets them, and stdout captured so workflow commands (add-mask, set-output, warning) can be read
 * back exactly as the runner would see them.
 */
import { afterEach, beforeEach, expect, jest } from '@jest/globals'
import { ActionError } from '../../src/errors.js'
import { OperationModules, type Outcome } from '../../src/operations/index.js'
import type { EnvFileInput } from '../../src/inputs/targets.js'
import type { Publication } from '../../src/publish/publication.js'
import type { Vault } from '../../src/inputs/vault.js'

// Everything the action or @actions/core reads from the environment.
const ACTION_ENV =
  /^(INPUT_|AZURE_|ACTIONS_ID_TOKEN_REQUEST_|GITHUB_OUTPUT$|GITHUB_ENV$|GITHUB_STATE$|GITHUB_STEP_SUMMARY$)/

/** Gives every test a process.env without inputs or Azure variables, and restores the original after. */
export function isolateEnv(): void {
  let saved: NodeJS.ProcessEnv = process.env
  beforeEach(() => {
    saved = process.env
    process.env = Object.fromEntries(Object.entries(saved).filter(([name]) => !ACTION_ENV.test(name)))
  })
  afterEach(() => {
    process.env = saved
  })
}

/** Sets inputs as the runner does: INPUT_<NAME UPPERCASED>, hyphens kept. */
export function setInputs(inputs: Readonly<Record<string, string>>): void {
  for (const [name, value] of Object.entries(inputs)) process.env[`INPUT_${name.toUpperCase()}`] = value
}

export interface WorkflowCommand {
  readonly command: string
  readonly properties: string
  /** The data as written, still escaped (%25, %0D, %0A). */
  readonly data: string
}

export interface CapturedStdout {
  /** Everything written to stdout during the current test. */
  text(): string
  /** Workflow commands written during the current test, in order. */
  commands(): WorkflowCommand[]
  /** The escaped data of every `::add-mask::` line, in order, exactly as the runner reads it. */
  maskLines(): string[]
  /** The registered mask values, unescaped. */
  masks(): string[]
}

/** Escapes command data the way @actions/core documents it: % -> %25, CR -> %0D, LF -> %0A. */
export function escapeData(value: string): string {
  return value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
}

export function unescapeData(value: string): string {
  return value.replace(/%(25|0D|0A)/g, (_, code: string) => ({ '25': '%', '0D': '\r', '0A': '\n' })[code] ?? '')
}

/** Captures process.stdout.write for each test (nothing reaches the real stdout). */
export function captureStdout(): CapturedStdout {
  let chunks: string[] = []
  let spy: { mockRestore(): void } | undefined
  beforeEach(() => {
    chunks = []
    const write = ((chunk: string | Uint8Array): boolean => {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'))
      return true
    }) as typeof process.stdout.write
    spy = jest.spyOn(process.stdout, 'write').mockImplementation(write)
  })
  afterEach(() => {
    spy?.mockRestore()
  })
  const text = (): string => chunks.join('')
  const commands = (): WorkflowCommand[] =>
    text()
      .split('\n')
      .map((line) => /^::([a-z-]+)(?: ([^:]*))?::(.*)$/.exec(line))
      .filter((match): match is RegExpExecArray => match !== null)
      .map((match) => ({ command: match[1] ?? '', properties: match[2] ?? '', data: match[3] ?? '' }))
  const maskLines = (): string[] =>
    commands()
      .filter((c) => c.command === 'add-mask')
      .map((c) => c.data)
  return { text, commands, maskLines, masks: () => maskLines().map(unescapeData) }
}

/** Runs `action` and returns what it threw; fails the test if it did not throw. */
export function thrownBy(action: () => unknown): Error {
  try {
    action()
  } catch (error) {
    if (error instanceof Error) return error
    throw new Error(`Expected an Error to be thrown, got ${String(error)}`)
  }
  throw new Error('Expected an error to be thrown, but nothing was thrown')
}

export const CLIENT_ID = '11111111-2222-3333-4444-555555555555'
export const TENANT_ID = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee'

/** What an operation's `decide` makes of an outcome, given the inputs `decide` reads (the rest do not matter to it). */
export function publicationFor(
  outcome: Outcome,
  options: {
    exportEnv?: boolean
    envFile?: EnvFileInput
    parseJson?: boolean
    minMaskLength?: number
    environment?: NodeJS.ProcessEnv
  } = {}
): Publication {
  const { environment = {}, ...inputs } = {
    exportEnv: false,
    parseJson: false,
    minMaskLength: 4,
    vault: VAULT,
    expiry: { failOnExpired: false },
    ...options
  }
  const decide = OperationModules[outcome.operation].decide as (
    outcome: Outcome,
    inputs: object,
    environment: NodeJS.ProcessEnv
  ) => Publication
  return decide(outcome, inputs, environment)
}

/** The step's vault of the unit tests' outcomes. */
export const VAULT: Vault = { url: 'https://contoso-kv.vault.azure.net', name: 'contoso-kv', input: 'vault-name' }

/** A secret version, and the identifier of that version of db-password in VAULT. */
export const VERSION = '0123456789abcdef0123456789abcdef'
export const ID = `https://contoso-kv.vault.azure.net/secrets/db-password/${VERSION}`

/** The outcome of a get of one secret by its name (no glob) from VAULT. */
export const got = (name: string, value = 'S3cret!'): Outcome => ({
  operation: 'get',
  secrets: [{ name, value, version: VERSION, id: ID, fromGlob: false, vault: VAULT }],
  files: [],
  missing: [],
  certificatesSkipped: [],
  invalidNames: [],
  expiry: []
})

/** Runs `action`; anything thrown must be an ActionError whose message names `input` (then undefined). */
export function returnsOrNamesInput<T>(input: string, action: () => T): T | undefined {
  try {
    return action()
  } catch (error) {
    if (!(error instanceof ActionError))
      throw new Error(`threw ${String(error)} instead of an ActionError naming '${input}'`, { cause: error })
    expect(error.message).toContain(`'${input}'`)
    return undefined
  }
}
