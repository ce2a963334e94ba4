/**
 * `npm run coverage`: line coverage of src/, measured two ways, both printed.
 *
 * - unit: the unit tests in process, with jest's V8 provider over src/**.
 * - end-to-end: src/ bundled with ncc as `npm run bundle` does, but with a source map and not
 *   minified, into a temporary folder; the end-to-end tests (and the stand-in's own, __tests__/standin,
 *   two of which run the action too) run that bundle in place of dist/index.js
 *   (E2E_ACTION_ENTRY, see __tests__/support/runner.ts), each child writing its V8 coverage
 *   (NODE_V8_COVERAGE, through E2E_CHILD_V8_COVERAGE); `c8 report` maps it back to src/ through the
 *   source map. So this counts what the action did when run the way the runner runs it.
 *
 * Reports go to coverage/unit and coverage/e2e (HTML and json-summary). Runs with Node's own type
 * stripping: `node .github/scripts/coverage.ts [all|unit|e2e] [test paths]`. Exits non-zero
 * when a test failed; the coverage of what ran is printed all the same.
 */
import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..')
const bin = (name: string): string => join(root, 'node_modules', '.bin', name)
const jest = [
  '--experimental-vm-modules',
  join(root, 'node_modules', 'jest', 'bin', 'jest.js'),
  ...(process.env.JEST_WORKERS ? [`--maxWorkers=${process.env.JEST_WORKERS}`] : [])
]

interface FileSummary {
  readonly lines: { readonly total: number; readonly covered: number; readonly pct: number }
}
type Summary = Readonly<Record<string, FileSummary>>

function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): number {
  const result = spawnSync(command, args, { cwd: root, env, stdio: 'inherit' })
  if (result.error) throw result.error
  return result.status ?? 1
}

/** json-summary keyed by absolute path (and `total`), keyed by path relative to the repository. */
function readSummary(file: string): Map<string, FileSummary> {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Summary
  return new Map(
    Object.entries(raw).map(([path, summary]) => [path === 'total' ? path : relative(root, path), summary])
  )
}

function unit(): { status: number; summary: Map<string, FileSummary> } {
  const dir = join(root, 'coverage', 'unit')
  rmSync(dir, { recursive: true, force: true })
  const status = run(process.execPath, [
    ...jest,
    ...(only.length > 0 ? only : ['__tests__/unit']),
    '--coverage',
    '--coverageProvider=v8',
    // Files no unit test loads count too (at 0%): jest looks for them only under its roots.
    '--roots=<rootDir>/__tests__',
    '--roots=<rootDir>/src',
    '--collectCoverageFrom=src/**/*.ts',
    `--coverageDirectory=${dir}`,
    '--coverageReporters=json-summary',
    '--coverageReporters=html',
    '--coverageReporters=text-summary'
  ])
  return { status, summary: readSummary(join(dir, 'coverage-summary.json')) }
}

/**
 * ncc takes the TypeScript options from the tsconfig.json nearest the entry, and maps the bundle to
 * TypeScript's output unless that asks for `sourceMap`. So src/ is copied beside a copy of
 * tsconfig.json that does, and bundled there (node_modules linked); nothing in the checkout changes.
 */
function buildMappedBundle(work: string, bundle: string): void {
  cpSync(join(root, 'src'), join(work, 'src'), { recursive: true })
  symlinkSync(join(root, 'node_modules'), join(work, 'node_modules'), 'dir')
  cpSync(join(root, 'package.json'), join(work, 'package.json'))
  const tsconfig = JSON.parse(readFileSync(join(root, 'tsconfig.json'), 'utf8')) as {
    compilerOptions: Record<string, unknown>
    include: string[]
  }
  tsconfig.compilerOptions.sourceMap = true
  tsconfig.include = ['src/**/*.ts']
  writeFileSync(join(work, 'tsconfig.json'), JSON.stringify(tsconfig))
  const built = spawnSync(
    bin('ncc'),
    ['build', 'src/index.ts', '-o', bundle, '--source-map', '--no-source-map-register', '-q'],
    { cwd: work, stdio: 'inherit' }
  )
  if (built.status !== 0) throw new Error('ncc could not build the source-mapped bundle')
  absoluteSources(bundle)
}

/** ncc writes sources relative to where it ran ('.././src/main.ts'): point them at the checkout's src/, for c8. */
function absoluteSources(bundleDir: string): void {
  for (const name of readdirSync(bundleDir).filter((n) => n.endsWith('.js.map'))) {
    const file = join(bundleDir, name)
    const map = JSON.parse(readFileSync(file, 'utf8')) as { sources: string[]; sourceRoot?: string }
    map.sources = map.sources.map((source) =>
      source.startsWith('.././') ? join(root, source.slice('.././'.length)) : source
    )
    map.sourceRoot = ''
    writeFileSync(file, JSON.stringify(map))
  }
}

function e2e(): { status: number; summary: Map<string, FileSummary> } {
  const work = mkdtempSync(join(tmpdir(), 'kvsa-coverage-'))
  const dir = join(root, 'coverage', 'e2e')
  rmSync(dir, { recursive: true, force: true })
  try {
    const bundle = join(work, 'bundle')
    const v8 = join(work, 'v8')
    buildMappedBundle(work, bundle)
    const status = run(
      process.execPath,
      [...jest, ...(only.length > 0 ? only : ['__tests__/e2e', '__tests__/standin'])],
      {
        ...process.env,
        E2E_ACTION_ENTRY: join(bundle, 'index.js'),
        E2E_CHILD_V8_COVERAGE: v8
      }
    )
    if (!existsSync(v8) || readdirSync(v8).length === 0) throw new Error('no child process wrote V8 coverage')
    withoutSourceMapCache(v8)
    const reported = run(bin('c8'), [
      'report',
      `--temp-directory=${v8}`,
      `--reports-dir=${dir}`,
      '--exclude-after-remap',
      // Not --all: it would add src/*.ts read as plain files on top of the mapped coverage. Every
      // file of the action is in the bundle anyway; one that is not shows as '-'.
      '--include=src/**',
      '--reporter=json-summary',
      '--reporter=html',
      '--reporter=text-summary'
    ])
    if (reported !== 0) throw new Error('c8 report failed')
    return { status, summary: readSummary(join(dir, 'coverage-summary.json')) }
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

/**
 * Node 24 records each script's source map in the coverage file ('source-map-cache'); c8 prefers
 * that copy, and with it maps every range to covered (all lines 100%, no functions). Without it c8
 * reads the map beside the bundle, as it should.
 */
function withoutSourceMapCache(v8: string): void {
  for (const name of readdirSync(v8)) {
    const file = join(v8, name)
    const coverage = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>
    delete coverage['source-map-cache']
    writeFileSync(file, JSON.stringify(coverage))
  }
}

const pct = (summary: FileSummary | undefined): string =>
  summary ? `${summary.lines.pct.toFixed(1).padStart(5)}%` : '     -'

function table(unitSummary?: Map<string, FileSummary>, e2eSummary?: Map<string, FileSummary>): void {
  const files = [...new Set([...(unitSummary?.keys() ?? []), ...(e2eSummary?.keys() ?? [])])]
    .filter((f) => f !== 'total')
    .sort()
  const width = Math.max(...files.map((f) => f.length), 'file'.length)
  console.log(`\nLine coverage of src/ (unit: in process; e2e: the bundle run as the runner runs it)`)
  console.log(`${'file'.padEnd(width)}   unit     e2e`)
  for (const file of [...files, 'total'])
    console.log(`${file.padEnd(width)} ${pct(unitSummary?.get(file))} ${pct(e2eSummary?.get(file))}`)
}

const [which, ...only] = process.argv.slice(2)
const unitResult = which === 'e2e' ? undefined : unit()
const e2eResult = which === 'unit' ? undefined : e2e()
table(unitResult?.summary, e2eResult?.summary)
const failed = [unitResult, e2eResult].some((r) => r !== undefined && r.status !== 0)
if (failed) console.error('Some tests failed: the coverage above is of what ran.')
process.exitCode = failed ? 1 : 0
