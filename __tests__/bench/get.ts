/**
 * `npm run bench`: the committed action (child process running dist/, OIDC sign-in, through the
 * stand-in on loopback) against the targets of the performance issue, as one table:
 *   (a) cold start of one `get` against the Node process floor (`node -e 0` on the same Node);
 *   (b) 100 secrets named in `secrets` at 40 ms per request, against the ideal: start-up (a) plus
 *       3 round trips (challenge, token, one round of reads);
 *   (c) the size of dist/ against its budget.
 * And the floors under (a) and (b) on this machine, measured the same way, so the table shows how
 * much of each is the action's own:
 *   - the harness: `node -e 0` with the preload that routes Azure's host names to the stand-in;
 *   - the stack: stack-floor.ts, bundled like dist/: @actions/core, @azure/identity's OIDC
 *     credential and the Key Vault client, loaded and built, no request;
 *   - the transport: the reads of (b) by bare node:https (bare-reads.mjs), a token in hand.
 * A benchmark, not a test: it prints numbers and asserts nothing. BENCH_RUNS (default 15) runs of
 * each; BENCH_CONCURRENCY sets the `concurrency` input of (b) (default: the action's default).
 */
import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readActionDefinition, repoRoot, routeModuleUrl, runAction } from '../support/runner.js'
import { StandIn } from '../support/standin/index.js'

const RUNS = Number(process.env.BENCH_RUNS ?? 15)
const CONCURRENCY = process.env.BENCH_CONCURRENCY
// What (b) runs with when BENCH_CONCURRENCY is not set: the input's default, as a workflow gets it.
const DEFAULT_CONCURRENCY = readActionDefinition(join(repoRoot, 'action.yml')).inputs.concurrency?.default ?? ''
const TENANT = '11111111-1111-1111-1111-111111111111'
const APP = '22222222-2222-2222-2222-222222222222'
const LATENCY_MS = 40
const SECRETS = 100
// All of dist/, the GitHub code's chunks included (issue 14: at most 1.5 MB; a plain get loads only index.js).
const DIST_BUDGET_BYTES = 1.5e6

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2
}

/** What a Node process prints; asynchronous, so the stand-in in this process can answer it. */
function nodeOutput(args: readonly string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('error', reject)
    child.on('close', (status) =>
      status === 0 ? resolve(stdout) : reject(new Error(`node ${args.join(' ')} failed: ${stderr}`))
    )
  })
}

/** Wall time of one Node process, from spawn to exit. */
async function nodeMs(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const start = performance.now()
  await nodeOutput(args, env)
  return performance.now() - start
}

/** stack-floor.ts bundled as dist/ is (ncc, minified), into a temporary folder. */
function bundleStackFloor(): { entry: string; dispose: () => void } {
  const out = mkdtempSync(join(tmpdir(), 'stack-floor-'))
  const ncc = createRequire(import.meta.url).resolve('@vercel/ncc/dist/ncc/cli.js')
  execFileSync(
    process.execPath,
    [ncc, 'build', join(repoRoot, '__tests__/bench/stack-floor.ts'), '-o', out, '--minify', '--quiet'],
    { cwd: repoRoot }
  )
  return { entry: join(out, 'index.js'), dispose: () => rmSync(out, { recursive: true, force: true }) }
}

/** Like `du -sb`: the bytes of every file under dir. */
function bytesUnder(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((sum, entry) => {
    const path = join(dir, entry.name)
    return sum + (entry.isDirectory() ? bytesUnder(path) : statSync(path).size)
  }, 0)
}

const s = await StandIn.start()
const stackFloor = bundleStackFloor()
try {
  s.addVault({ name: 'bench-kv', tenantId: TENANT, grants: { [APP]: ['get'] } }).setSecret('db-password', 'bench-value')
  const app = s.addOidcApp(TENANT, APP)
  const signIn = { 'client-id': APP, 'tenant-id': TENANT }
  const harnessEnv = { ...process.env, ...s.childEnv() }

  // (a) Cold start: each run is a fresh process, interleaved with the floors so all see the same load.
  const floors: number[] = []
  const harnessFloors: number[] = []
  const stackFloors: number[] = []
  const gets: number[] = []
  for (let i = 0; i < RUNS; i++) {
    floors.push(await nodeMs(['-e', '0']))
    harnessFloors.push(await nodeMs(['--import', routeModuleUrl, '-e', '0'], harnessEnv))
    stackFloors.push(await nodeMs([stackFloor.entry]))
    const r = await runAction({
      inputs: { 'vault-name': 'bench-kv', 'secret-name': 'db-password', ...signIn },
      env: s.oidcEnv(),
      standin: s
    })
    if (r.exitCode !== 0) throw new Error(`run ${i} failed: ${r.errors.join('; ')}`)
    gets.push(r.durationMs)
  }
  const floor = median(floors)
  const startUp = median(gets)

  // (b) Many secrets with latency on every request.
  const vault = s.vault('bench-kv')
  const names = Array.from({ length: SECRETS }, (_, i) => `many-${String(i).padStart(3, '0')}`)
  for (const [i, name] of names.entries()) vault.setSecret(name, `value-${i}`)
  s.latencyMs = LATENCY_MS
  const bulk: number[] = []
  const counts = { token: 0, idToken: 0, challenged: 0 }
  for (let i = 0; i < RUNS; i++) {
    s.requests.length = 0
    const inputs = {
      'vault-name': 'bench-kv',
      secrets: names.join('\n'),
      ...(CONCURRENCY && { concurrency: CONCURRENCY }),
      ...signIn
    }
    const r = await runAction({ inputs, env: s.oidcEnv(), standin: s })
    if (r.exitCode !== 0 || Object.keys(r.outputs).length !== SECRETS)
      throw new Error(`${SECRETS}-secret run failed: ${r.errors.join('; ')}`)
    bulk.push(r.durationMs)
    counts.token = Math.max(counts.token, s.requestsTo('entra', 'POST').length)
    counts.idToken = Math.max(counts.idToken, s.requestsTo('github').length)
    counts.challenged = Math.max(counts.challenged, s.requestsTo('vault').filter((req) => req.status === 401).length)
  }
  // The transport floor: the same reads, bare, in a fresh process with the harness's preload.
  const token = s.mintAccessToken({ tenantId: TENANT, appId: APP, oid: app.objectId }).token
  const bareRounds: number[] = []
  for (let i = 0; i < RUNS; i++) {
    const env = {
      ...harnessEnv,
      BARE_HOST: 'bench-kv.vault.azure.net',
      BARE_TOKEN: token,
      BARE_NAMES: names.join('\n'),
      BARE_CONCURRENCY: CONCURRENCY ?? DEFAULT_CONCURRENCY
    }
    bareRounds.push(
      Number(await nodeOutput(['--import', routeModuleUrl, join(repoRoot, '__tests__/bench/bare-reads.mjs')], env))
    )
  }
  s.latencyMs = 0
  const bulkIdeal = startUp + 3 * LATENCY_MS
  const bareRound = median(bareRounds)
  const bulkFloor = startUp + 2 * LATENCY_MS + bareRound

  // (c) What the runner downloads and Node may parse.
  const distBytes = bytesUnder(join(repoRoot, 'dist'))

  const ms = (value: number): string => `${value.toFixed(0)} ms`
  const ratio = (value: number, base: number): string => `${(value / base).toFixed(2)}x`
  const harnessFloor = median(harnessFloors)
  const stackStart = median(stackFloors)
  const concurrency = CONCURRENCY ?? `${DEFAULT_CONCURRENCY} (default)`
  const rows = [
    ['scenario', 'measured median', 'ideal', 'ratio', 'target'],
    ['(a) cold start, one get (OIDC)', ms(startUp), `${ms(floor)} (node -e 0)`, ratio(startUp, floor), '<= 3x'],
    ['    floor: harness preload', ms(harnessFloor), `${ms(floor)} (node -e 0)`, ratio(harnessFloor, floor), ''],
    [
      '    floor: the stack, loaded, no request',
      ms(stackStart),
      `${ms(floor)} (node -e 0)`,
      ratio(stackStart, floor),
      ''
    ],
    [
      `(b) ${SECRETS} secrets at ${LATENCY_MS} ms/request, concurrency ${concurrency}`,
      ms(median(bulk)),
      `${ms(bulkIdeal)} (a + 3 x ${LATENCY_MS} ms)`,
      ratio(median(bulk), bulkIdeal),
      '<= 1.1x'
    ],
    [
      '    floor: the reads by bare node:https',
      ms(bareRound),
      `${ms(LATENCY_MS)} (1 round trip)`,
      ratio(bareRound, LATENCY_MS),
      ''
    ],
    [
      '    (b) against a + 2 round trips + bare reads',
      ms(median(bulk)),
      ms(bulkFloor),
      ratio(median(bulk), bulkFloor),
      ''
    ],
    [
      '(c) dist/ size',
      `${(distBytes / 1e6).toFixed(2)} MB`,
      `${(DIST_BUDGET_BYTES / 1e6).toFixed(2)} MB (budget)`,
      ratio(distBytes, DIST_BUDGET_BYTES),
      '<= 1x'
    ]
  ]
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? []
  console.log(`node ${process.version}, ${RUNS} runs of each`)
  for (const [index, row] of rows.entries()) {
    console.log(`| ${row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`)
    if (index === 0) console.log(`|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`)
  }
  console.log(
    `(b) requests per run, at most: ${counts.token} token (Entra ID), ${counts.idToken} GitHub ID token, ${counts.challenged} answered with the vault's challenge (401)`
  )
} finally {
  stackFloor.dispose()
  await s.stop()
}
