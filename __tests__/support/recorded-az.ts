/**
 * A scripted `az` that answers with what the real Azure CLI printed (__tests__/fixtures/recorded/az,
 * captured by capture-az.ts): each test names the fixture that answers each command, and the
 * placeholders are filled in, `{token}` with a token the stand-in mints now.
 *
 *   const az = writeRecordedAz(s, {
 *     tenantId: TENANT,
 *     appId: IDENTITY,
 *     getAccessToken: { withTenant: 'managed-identity-tenant-refused', withoutTenant: 'managed-identity-token' },
 *     accountShow: 'managed-identity-account'
 *   })
 *   const r = await runAction({ ..., env: { PATH: az.path } })
 *   expect(az.calls()).toEqual([[...'account get-access-token ...'.split(' ')], ...])
 *   az.remove()
 *
 * The folder holds `az` (POSIX sh) and `az.cmd` (Windows, where @azure/identity runs az through
 * cmd.exe): both compare the arguments with each chosen fixture's `command` (placeholders filled)
 * and print its stdout and stderr byte for byte and exit with its exit code; anything else prints
 * `recorded az: no fixture for: az ...` and exits 2. Every call is logged.
 */
import { randomUUID } from 'node:crypto'
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { StandIn } from './standin/index.js'

/** One file of __tests__/fixtures/recorded/az (see the README there). */
export interface AzFixture {
  readonly title: string
  readonly source: { readonly captured: string; readonly current?: string }
  /** The `az login` of the session the command ran in; null: none had run. */
  readonly login: readonly string[] | null
  readonly command: readonly string[]
  readonly exitCode: number
  readonly stdout: string
  readonly stderr: string
}

export interface RecordedAzOptions {
  /** `{tenant}`: the session's tenant. */
  readonly tenantId: string
  /** `{app}`: the app or managed identity signed in (the minted token's appid). */
  readonly appId: string
  /** `{otherTenant}`: a tenant where the app is not. Default 99999999-9999-9999-9999-999999999999. */
  readonly otherTenantId?: string
  /** `{subscription}`. Default 00000000-0000-0000-0000-00000000cafe. */
  readonly subscriptionId?: string
  /** The minted token's audience. Default https://vault.azure.net. */
  readonly resource?: string
  /**
   * The fixtures (file names without .json) answering `account get-access-token`, with `--tenant`
   * and without; one name answers the one its command is (with `--tenant` or not).
   */
  readonly getAccessToken?: string | { readonly withTenant?: string; readonly withoutTenant?: string }
  /** The fixture answering `account show`. */
  readonly accountShow?: string
}

export interface RecordedAz {
  /** Folder holding `az` and `az.cmd`; put it first on PATH. */
  readonly binDir: string
  /** PATH with binDir first, for RunOptions.env. */
  readonly path: string
  /** What each placeholder was filled with (`token`, `expires_on`, `trace`, ...). */
  readonly values: Readonly<Record<string, string>>
  /** Argument lists of every call so far, one array per call. */
  calls(): string[][]
  /** Deletes the folder. */
  remove(): void
}

const fixtureDir = fileURLToPath(new URL('../fixtures/recorded/az/', import.meta.url))

export function readAzFixture(name: string): AzFixture {
  return JSON.parse(readFileSync(join(fixtureDir, `${name}.json`), 'utf8')) as AzFixture
}

/** `2026-12-07 07:44:28.000000`: az's `expiresOn`, in local time like Python's datetime.fromtimestamp. */
function localTime(seconds: number): string {
  const d = new Date(seconds * 1000)
  const two = (n: number): string => String(n).padStart(2, '0')
  const date = `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`
  return `${date} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.000000`
}

/** Entra's times: `2026-12-07T06:44:44.0000000Z` (AADSTS700024) and `2026-12-07 06:44:44Z` (Timestamp). */
const entraTime = (ms: number): string => new Date(ms).toISOString().replace(/\.\d+Z$/, '.0000000Z')
const entraTimestamp = (ms: number): string =>
  new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z')

/** The values placeholders stand for, made now. */
export function placeholderValues(standIn: StandIn, options: RecordedAzOptions): Record<string, string> {
  const minted = standIn.mintAccessToken({
    tenantId: options.tenantId,
    appId: options.appId,
    ...(options.resource !== undefined && { resource: options.resource })
  })
  const now = Date.now()
  return {
    tenant: options.tenantId,
    otherTenant: options.otherTenantId ?? '99999999-9999-9999-9999-999999999999',
    app: options.appId,
    subscription: options.subscriptionId ?? '00000000-0000-0000-0000-00000000cafe',
    token: minted.token,
    expiresOn: localTime(minted.expiresOn),
    expires_on: String(minted.expiresOn),
    trace: randomUUID(),
    correlation: randomUUID(),
    timestamp: entraTimestamp(now),
    // An assertion of GitHub's lifetime (10 minutes) that ran out 5 minutes ago.
    now: entraTime(now),
    nbf: entraTime(now - 15 * 60_000),
    exp: entraTime(now - 5 * 60_000)
  }
}

/** Fills `{name}` placeholders; throws on one it does not know. */
export function fill(text: string, values: Readonly<Record<string, string>>): string {
  return text.replace(/\{([A-Za-z_]+)\}/g, (_, name: string) => {
    const value = values[name]
    if (value === undefined) throw new Error(`recorded az: no value for {${name}}`)
    return value
  })
}

interface Answer {
  readonly args: string
  readonly exitCode: number
  readonly stdout: string
  readonly stderr: string
}

/** The fixtures chosen, each checked to be the command it is chosen for. */
function chosenFixtures(options: RecordedAzOptions): AzFixture[] {
  const chosen = options.getAccessToken
  // One name: the slot its command is for.
  const token =
    typeof chosen === 'string'
      ? readAzFixture(chosen).command.includes('--tenant')
        ? { withTenant: chosen }
        : { withoutTenant: chosen }
      : (chosen ?? {})
  const slots: [string | undefined, string, (command: readonly string[]) => boolean][] = [
    [token.withTenant, 'get-access-token with --tenant', (c) => c[1] === 'get-access-token' && c.includes('--tenant')],
    [token.withoutTenant, 'get-access-token', (c) => c[1] === 'get-access-token' && !c.includes('--tenant')],
    [options.accountShow, 'account show', (c) => c[1] === 'show']
  ]
  const fixtures: AzFixture[] = []
  for (const [name, slot, fits] of slots) {
    if (name === undefined) continue
    const fixture = readAzFixture(name)
    if (!fits(fixture.command)) throw new Error(`recorded az: ${name} is not an answer to ${slot}`)
    fixtures.push(fixture)
  }
  return fixtures
}

const shellQuote = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`

function shScript(answers: readonly Answer[], binDir: string): string {
  const file = (index: number, stream: string): string => shellQuote(join(binDir, `answer-${index}.${stream}`))
  return [
    '#!/bin/sh',
    '# Scripted az: recorded answers (__tests__/support/recorded-az.ts).',
    `printf '%s\\n' "$*" >> ${shellQuote(join(binDir, 'calls.log'))}`,
    'case "$*" in',
    ...answers.map(
      (answer, i) =>
        `  ${shellQuote(answer.args)}) cat ${file(i, 'stdout')}; cat ${file(i, 'stderr')} >&2; exit ${answer.exitCode} ;;`
    ),
    'esac',
    `echo "recorded az: no fixture for: az $*" >&2`,
    'exit 2',
    ''
  ].join('\n')
}

/** cmd.exe gets each argument quoted (@azure/core-process): %~1 drops the quotes. */
function cmdScript(answers: readonly Answer[]): string {
  return [
    '@echo off',
    'rem Scripted az: recorded answers (__tests__/support/recorded-az.ts).',
    'setlocal',
    'set "ARGS="',
    ':next',
    'if "%~1"=="" goto run',
    'if defined ARGS (set "ARGS=%ARGS% %~1") else set "ARGS=%~1"',
    'shift',
    'goto next',
    ':run',
    '>>"%~dp0calls.log" echo(%ARGS%',
    ...answers.flatMap((answer, i) => [
      `if "%ARGS%"=="${answer.args}" (`,
      `  type "%~dp0answer-${i}.stdout"`,
      `  type "%~dp0answer-${i}.stderr" 1>&2`,
      `  exit /b ${answer.exitCode}`,
      ')'
    ]),
    '>&2 echo recorded az: no fixture for: az %ARGS%',
    'exit /b 2',
    ''
  ].join('\r\n')
}

/** Writes the scripted az for the fixtures chosen in `options` into a new temporary folder. */
export function writeRecordedAz(standIn: StandIn, options: RecordedAzOptions): RecordedAz {
  const binDir = mkdtempSync(join(tmpdir(), 'recorded-az-'))
  const callLog = join(binDir, 'calls.log')
  const values = placeholderValues(standIn, options)
  const answers: Answer[] = chosenFixtures(options).map((fixture) => ({
    args: fixture.command.map((arg) => fill(arg, values)).join(' '),
    exitCode: fixture.exitCode,
    stdout: fill(fixture.stdout, values),
    stderr: fill(fixture.stderr, values)
  }))
  // The values are ids and URLs; anything else might mean something to sh or cmd.exe.
  const unsafe = answers.flatMap((answer) => answer.args.split(' ')).find((arg) => !/^[\w.:/-]+$/.test(arg))
  if (unsafe !== undefined) throw new Error(`recorded az: an argument sh and cmd.exe cannot compare safely: ${unsafe}`)
  answers.forEach((answer, i) => {
    writeFileSync(join(binDir, `answer-${i}.stdout`), answer.stdout)
    writeFileSync(join(binDir, `answer-${i}.stderr`), answer.stderr)
  })
  writeFileSync(join(binDir, 'az'), shScript(answers, binDir))
  chmodSync(join(binDir, 'az'), 0o755)
  writeFileSync(join(binDir, 'az.cmd'), cmdScript(answers))
  return {
    binDir,
    path: [binDir, process.env.PATH ?? ''].join(delimiter),
    values,
    calls: () =>
      existsSync(callLog)
        ? readFileSync(callLog, 'utf8')
            .split(/\r?\n/)
            .filter(Boolean)
            .map((line) => line.split(' '))
        : [],
    remove: () => rmSync(binDir, { recursive: true, force: true })
  }
}
