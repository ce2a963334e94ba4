import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import YAML from 'yaml'
import { parseFileCommands } from './file-commands.js'
import {
  maskText,
  processStepOutput,
  splitOutputLines,
  type OutputLine,
  type ProcessedOutput,
  type StreamName
} from './masking.js'
import type { StandIn } from './standin/index.js'

/** The repository root, found from this file so the harness works from any cwd. */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url))
export const routeModuleUrl = pathToFileURL(fileURLToPath(new URL('./route.mjs', import.meta.url))).href
const lowJitterModuleUrl = pathToFileURL(fileURLToPath(new URL('./low-jitter.mjs', import.meta.url))).href

export interface RunOptions {
  /** Inputs by their action.yml name; '' is passed as ''. Inputs not given get their default (or ''). */
  readonly inputs?: Readonly<Record<string, string>>
  /** Extra environment; undefined removes a variable the harness would set. */
  readonly env?: Readonly<Record<string, string | undefined>>
  /** Trust its CA and route its hosts in the child. */
  readonly standin?: StandIn
  /**
   * Start the child with `--import route.mjs` (default true). false runs `node <entry>` bare, as the
   * runner does: routing then comes only from what `env` passes (NODE_OPTIONS, as on a real runner).
   */
  readonly preload?: boolean
  /** Step debug (RUNNER_DEBUG=1): `::debug::` lines show in the log. */
  readonly debug?: boolean
  /** Script to run, relative to the repository root (or absolute); default action.yml `runs.main` (or `runs.post`). */
  readonly entry?: string
  /** Kill the child after this long (default 60 s). */
  readonly timeoutMs?: number
  /** Extra Node options before the entry (`--cpu-prof`, which NODE_OPTIONS does not take). */
  readonly nodeArgs?: readonly string[]
  /** The Node binary that runs the entry (default: the one running this process, process.execPath). */
  readonly node?: string
  /**
   * Draw every Math.random() in the child from [0.05, 0.06) (low-jitter.mjs): each jittered backoff
   * a real but short wait. For tests whose point is that a retry happens, not how long it waits.
   */
  readonly lowJitter?: boolean
  /** The action's metadata, relative to the repository root (or absolute); default action.yml. */
  readonly actionYml?: string
  /** Keep RUNNER_TEMP, GITHUB_WORKSPACE and the file-command files after the run (default: deleted once parsed). */
  readonly keepWorkDir?: boolean
  /**
   * Runs once the fresh RUNNER_TEMP and GITHUB_WORKSPACE exist and before the child starts: what an
   * earlier step of the job left there (a planted link, a file at a target).
   */
  readonly prepare?: (dirs: WorkDirs) => void
}

/** The folders a step runs with. */
export interface WorkDirs {
  /** RUNNER_TEMP */
  readonly temp: string
  /** GITHUB_WORKSPACE, the child's cwd */
  readonly workspace: string
}

/** Log, errors, warnings, notices, debug and raw lines as the runner shows them (see masking.ts). */
export interface RunResult extends Omit<ProcessedOutput, 'masker'> {
  /** null when killed by a signal (see `signal`, `timedOut`). */
  readonly exitCode: number | null
  readonly signal: NodeJS.Signals | null
  readonly timedOut: boolean
  /** As the runner decides: exit code 0 and file commands well-formed. */
  readonly conclusion: 'success' | 'failure'
  readonly durationMs: number
  /** When the child was spawned (ms since the epoch, as RequestRecord.arrived): time to a first request is `arrived - startedAt`. */
  readonly startedAt: number
  /** Raw process output, unmasked. */
  readonly stdout: string
  readonly stderr: string
  /** Parsed from GITHUB_OUTPUT: what later steps receive (unmasked, as there). */
  readonly outputs: Record<string, string>
  /** Parsed from GITHUB_ENV. */
  readonly env: Record<string, string>
  /** Parsed from GITHUB_STATE: STATE_* for the post step. */
  readonly state: Record<string, string>
  /** GITHUB_STEP_SUMMARY as written (unmasked). */
  readonly summary: string
  /** The summary as uploaded: masked line by line with every value registered during the step. */
  readonly summaryMasked: string
  /** Every value registered with add-mask (and each of its lines). */
  readonly masks: readonly string[]
  /** Problems the runner would report for GITHUB_OUTPUT/ENV/STATE (they fail the step). */
  readonly fileCommandErrors: string[]
  /** RUNNER_TEMP (deleted after the run unless keepWorkDir). */
  readonly workDir: string
  readonly workspace: string
  /** The exact environment the child got (includes the INPUT_* variables). */
  readonly childEnv: Readonly<Record<string, string>>
}

/**
 * `npm run coverage` runs the end-to-end tests against a source-mapped bundle of src/ built into a
 * temporary folder: this variable names its index.js, which then stands in for dist/index.js. Unset
 * (always, but for coverage), the committed dist/index.js runs.
 */
export const EntryVariable = 'E2E_ACTION_ENTRY'
/** Where the child processes write their V8 coverage (as NODE_V8_COVERAGE), for `npm run coverage`. */
export const ChildCoverageVariable = 'E2E_CHILD_V8_COVERAGE'

const committedBundle = resolve(repoRoot, 'dist/index.js')

/** Shared by every run and every test process; Node discards an entry whose source changed. */
const compileCache = join(tmpdir(), 'keyvault-secrets-action-compile-cache')

/** dist/index.js, or the bundle E2E_ACTION_ENTRY names; any other entry (a fixture) as given. */
function bundleInUse(entry: string): string {
  const replacement = process.env[EntryVariable]
  return replacement && entry === committedBundle ? resolve(replacement) : entry
}

interface ActionInput {
  readonly default?: string
}

interface ActionDefinition {
  readonly inputs: Readonly<Record<string, ActionInput>>
  readonly main?: string
  readonly post?: string
}

/** Parsed action.yml files by content: every run reads its action.yml again, few parse it again. */
const definitions = new Map<string, ActionDefinition>()

export function readActionDefinition(file: string): ActionDefinition {
  const text = readFileSync(file, 'utf8')
  const known = definitions.get(text)
  if (known) return known
  const definition = parseActionDefinition(file, text)
  definitions.set(text, definition)
  return definition
}

function parseActionDefinition(file: string, text: string): ActionDefinition {
  let parsed: unknown
  try {
    parsed = YAML.parse(text) as unknown
  } catch (error) {
    // The runner would refuse the action too; say so instead of running with guessed inputs.
    throw new Error(`runAction: ${file} is not valid YAML, so the runner could not load the action: ${String(error)}`)
  }
  const root = isRecord(parsed) ? parsed : {}
  const inputs: Record<string, ActionInput> = {}
  if (isRecord(root.inputs)) {
    for (const [name, spec] of Object.entries(root.inputs)) {
      const fallback = isRecord(spec) ? spec.default : undefined
      inputs[name] = fallback === undefined || fallback === null ? {} : { default: String(fallback) }
    }
  }
  const runs = isRecord(root.runs) ? root.runs : {}
  return {
    inputs,
    ...(typeof runs.main === 'string' && { main: runs.main }),
    ...(typeof runs.post === 'string' && { post: runs.post })
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** `INPUT_<NAME>`: spaces become '_', upper case, hyphens kept (`INPUT_VAULT-NAME`), as the runner does. */
/** The workflow run's context, as the runner gives every step (the same in every test run). */
export const RunContext: Readonly<Record<string, string>> = {
  GITHUB_REPOSITORY: 'octo-org/app',
  GITHUB_REPOSITORY_OWNER: 'octo-org',
  GITHUB_WORKFLOW: 'Rotate secrets',
  GITHUB_EVENT_NAME: 'push',
  GITHUB_REF: 'refs/heads/main',
  GITHUB_SHA: '0000000000000000000000000000000000000000',
  GITHUB_RUN_ID: '1',
  GITHUB_RUN_ATTEMPT: '1',
  GITHUB_SERVER_URL: 'https://github.com',
  GITHUB_API_URL: 'https://api.github.com',
  RUNNER_OS: 'Linux',
  RUNNER_ARCH: 'X64'
}

export const inputEnvName = (name: string): string => `INPUT_${name.replace(/ /g, '_').toUpperCase()}`

/**
 * The runner sets every input the action declares: the given value, else its default, else ''.
 * Inputs the action does not declare are passed too, with the runner's warning.
 */
function inputEnv(
  definition: ActionDefinition,
  given: Readonly<Record<string, string>>
): { env: Record<string, string>; warning?: string } {
  const env: Record<string, string> = {}
  for (const [name, spec] of Object.entries(definition.inputs))
    env[inputEnvName(name)] = given[name] ?? spec.default ?? ''
  const unexpected = Object.keys(given).filter((name) => !(name in definition.inputs))
  for (const name of unexpected) env[inputEnvName(name)] = given[name] ?? ''
  if (unexpected.length === 0) return { env }
  const valid = Object.keys(definition.inputs)
    .map((n) => `'${n}'`)
    .join(', ')
  return {
    env,
    warning: `Unexpected input(s) ${unexpected.map((n) => `'${n}'`).join(', ')}, valid inputs are [${valid}]`
  }
}

function newWorkDirs(): { root: string; temp: string; workspace: string; files: string } {
  const root = mkdtempSync(join(tmpdir(), 'action-run-'))
  const dirs = {
    root,
    temp: join(root, 'temp'),
    workspace: join(root, 'workspace'),
    files: join(root, 'file_commands')
  }
  for (const dir of [dirs.temp, dirs.workspace, dirs.files]) mkdirSync(dir, { recursive: true })
  return dirs
}

interface Captured {
  readonly stdout: Buffer
  readonly stderr: Buffer
  readonly lines: OutputLine[]
  readonly exitCode: number | null
  readonly signal: NodeJS.Signals | null
  readonly timedOut: boolean
}

/** Runs node on the entry, collecting both pipes and the order their chunks arrived in. */
function runNode(
  args: string[],
  env: Record<string, string>,
  cwd: string,
  timeoutMs: number,
  node: string = process.execPath
): Promise<Captured> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(node, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
    const chunks: { stream: StreamName; data: Buffer }[] = []
    child.stdout.on('data', (data: Buffer) => chunks.push({ stream: 'stdout', data }))
    child.stderr.on('data', (data: Buffer) => chunks.push({ stream: 'stderr', data }))
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, timeoutMs)
    child.on('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer)
      const stdout = Buffer.concat(chunks.filter((c) => c.stream === 'stdout').map((c) => c.data))
      const stderr = Buffer.concat(chunks.filter((c) => c.stream === 'stderr').map((c) => c.data))
      resolvePromise({ stdout, stderr, lines: orderLines(chunks), exitCode, signal, timedOut })
    })
  })
}

/**
 * Lines of both streams in the order they completed: a line belongs to the chunk that delivered its
 * end. Each stream is decoded whole, so a character split across chunks stays intact.
 */
function orderLines(chunks: readonly { stream: StreamName; data: Buffer }[]): OutputLine[] {
  const ordered: { line: OutputLine; chunk: number; position: number }[] = []
  for (const stream of ['stdout', 'stderr'] as const) {
    const ends: { chunk: number; end: number }[] = []
    let offset = 0
    chunks.forEach((c, index) => {
      if (c.stream !== stream) return
      offset += c.data.length
      ends.push({ chunk: index, end: offset })
    })
    const text = Buffer.concat(chunks.filter((c) => c.stream === stream).map((c) => c.data))
    let start = 0
    let lineIndex = 0
    for (const line of splitOutputLines(text.toString('utf8'))) {
      // Find where this line ends in bytes, to know which chunk completed it.
      const lineBytes = Buffer.byteLength(line)
      let end = start + lineBytes
      const terminator = text[end]
      if (terminator === 0x0d && text[end + 1] === 0x0a) end += 2
      else if (terminator === 0x0d || terminator === 0x0a) end += 1
      const chunk = ends.find((e) => e.end >= Math.max(end, 1))?.chunk ?? chunks.length
      ordered.push({ line: { stream, text: line }, chunk, position: lineIndex++ })
      start = end
    }
  }
  ordered.sort((a, b) => a.chunk - b.chunk || (a.line.stream === b.line.stream ? a.position - b.position : 0))
  return ordered.map((o) => o.line)
}

async function runStep(
  kind: 'main' | 'post',
  options: RunOptions,
  stateEnv: Record<string, string>
): Promise<RunResult> {
  const actionYml = resolve(repoRoot, options.actionYml ?? 'action.yml')
  const definition = readActionDefinition(actionYml)
  const actionPath = dirname(actionYml)
  // A given entry is relative to the repository root; one from action.yml to the action's folder, as for the runner.
  const entry = bundleInUse(
    options.entry
      ? resolve(repoRoot, options.entry)
      : resolve(actionPath, (kind === 'main' ? definition.main : definition.post) ?? 'dist/index.js')
  )
  if (!existsSync(entry)) throw new Error(`runAction: entry ${entry} does not exist (build dist/ first?)`)

  const dirs = newWorkDirs()
  const files = {
    GITHUB_OUTPUT: join(dirs.files, 'set_output'),
    GITHUB_ENV: join(dirs.files, 'set_env'),
    GITHUB_STATE: join(dirs.files, 'save_state'),
    GITHUB_PATH: join(dirs.files, 'add_path'),
    GITHUB_STEP_SUMMARY: join(dirs.files, 'step_summary')
  }
  for (const file of Object.values(files)) writeFileSync(file, '')

  const inputs = inputEnv(definition, options.inputs ?? {})
  const env: Record<string, string> = {
    ...(process.env.PATH !== undefined && { PATH: process.env.PATH }),
    ...(process.env.HOME !== undefined && { HOME: process.env.HOME }),
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_ACTION_PATH: actionPath,
    GITHUB_WORKSPACE: dirs.workspace,
    ...RunContext,
    RUNNER_TEMP: dirs.temp,
    ...files,
    ...(options.debug && { RUNNER_DEBUG: '1' }),
    ...(options.standin?.childEnv() ?? {}),
    // `npm run coverage`: the child writes its V8 coverage there (the test process itself does not).
    // Otherwise Node keeps the bytecode it compiled from the bundle (NODE_COMPILE_CACHE, checked
    // against the source), so each of the hundreds of runs does not compile the same 3 MB again:
    // the same code runs, a fifth less CPU per run.
    ...(process.env[ChildCoverageVariable]
      ? { NODE_V8_COVERAGE: process.env[ChildCoverageVariable] }
      : { NODE_COMPILE_CACHE: compileCache }),
    ...inputs.env,
    ...stateEnv
  }
  for (const [name, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[name]
    else env[name] = value
  }

  try {
    options.prepare?.({ temp: dirs.temp, workspace: dirs.workspace })
    return await runAndCollect(options, entry, env, dirs, files, inputs.warning)
  } finally {
    if (!options.keepWorkDir) rmSync(dirs.root, { recursive: true, force: true })
  }
}

async function runAndCollect(
  options: RunOptions,
  entry: string,
  env: Record<string, string>,
  dirs: { temp: string; workspace: string },
  files: { GITHUB_OUTPUT: string; GITHUB_ENV: string; GITHUB_STATE: string; GITHUB_STEP_SUMMARY: string },
  inputWarning: string | undefined
): Promise<RunResult> {
  const started = Date.now()
  const preload = [
    ...(options.preload === false ? [] : ['--import', routeModuleUrl]),
    ...(options.lowJitter ? ['--import', lowJitterModuleUrl] : [])
  ]
  const captured = await runNode(
    [...(options.nodeArgs ?? []), ...preload, entry],
    env,
    dirs.workspace,
    options.timeoutMs ?? 60_000,
    options.node
  )
  const durationMs = Date.now() - started

  const processed = processStepOutput(captured.lines, { debug: options.debug ?? false })
  const fileCommandErrors: string[] = []
  const parse = (file: string, command: string): Record<string, string> => {
    const result = parseFileCommands(readFileSync(file, 'utf8'))
    if (result.error)
      fileCommandErrors.push(`Unable to process file command '${command}' successfully. ${result.error}`)
    return result.values
  }
  const outputs = parse(files.GITHUB_OUTPUT, 'output')
  const exported = parse(files.GITHUB_ENV, 'env')
  const state = parse(files.GITHUB_STATE, 'save_state')
  if ('NODE_OPTIONS' in exported) {
    fileCommandErrors.push("Can't store NODE_OPTIONS output parameter using '$GITHUB_ENV' command.")
    delete exported.NODE_OPTIONS
  }
  const summary = readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8')
  const log = inputWarning ? [`##[warning]${inputWarning}`, ...processed.log] : processed.log
  const conclusion = captured.exitCode === 0 && fileCommandErrors.length === 0 ? 'success' : 'failure'

  return {
    exitCode: captured.exitCode,
    signal: captured.signal,
    timedOut: captured.timedOut,
    conclusion,
    durationMs,
    startedAt: started,
    stdout: captured.stdout.toString('utf8'),
    stderr: captured.stderr.toString('utf8'),
    outputs,
    env: exported,
    state,
    summary,
    summaryMasked: maskText(summary, processed.masker),
    log,
    errors: processed.errors,
    warnings: inputWarning ? [inputWarning, ...processed.warnings] : processed.warnings,
    notices: processed.notices,
    debug: processed.debug,
    rawLines: processed.rawLines,
    masks: processed.masker.values,
    fileCommandErrors,
    workDir: dirs.temp,
    workspace: dirs.workspace,
    childEnv: env
  }
}

/** Runs the action's main entry the way the runner does (see RunOptions). */
export function runAction(options: RunOptions = {}): Promise<RunResult> {
  return runStep('main', options, {})
}

/** Runs the post entry with STATE_<name> from the main step's GITHUB_STATE (default entry: action.yml runs.post). */
export function runPost(state: Readonly<Record<string, string>>, options: RunOptions = {}): Promise<RunResult> {
  const stateEnv = Object.fromEntries(Object.entries(state).map(([name, value]) => [`STATE_${name}`, value]))
  return runStep('post', options, stateEnv)
}

export interface LeakCheckOptions {
  /** Also look for each trimmed, non-empty line of multi-line values. */
  readonly perLine?: boolean
}

/**
 * Throws when any value shows in the visible log, the debug messages (visible whenever someone turns
 * step debug on) or the raw step summary. The message names values by index, never the value itself.
 */
export function assertNoLeak(
  result: Pick<RunResult, 'log' | 'debug' | 'summary'>,
  values: readonly string[],
  options: LeakCheckOptions = {}
): void {
  const findings: string[] = []
  values.forEach((value, index) => {
    const needles = new Set<string>()
    if (value !== '') needles.add(value)
    if (options.perLine) {
      for (const line of value.split(/\r\n|\r|\n/)) if (line.trim()) needles.add(line.trim())
    }
    const places: string[] = []
    for (const needle of needles) {
      result.log.forEach((line, lineIndex) => {
        if (line.includes(needle)) places.push(`log line ${lineIndex}`)
      })
      result.debug.forEach((line, lineIndex) => {
        if (line.includes(needle)) places.push(`debug message ${lineIndex}`)
      })
      if (result.summary.includes(needle)) places.push('step summary')
    }
    if (places.length > 0) findings.push(`value #${index} appeared in ${[...new Set(places)].join(', ')}`)
  })
  if (findings.length > 0) throw new Error(`Secret leak: ${findings.join('; ')}`)
}
