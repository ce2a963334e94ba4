/**
 * `npm run bench`: the committed action (child process running dist/, OIDC sign-in, through the
 * stand-in on loopback) against the targets of the performance issue, as one table:
 *   (a) cold start of one `get` against the Node process floor (`node -e 0` on the same Node);
 *   (b) 100 secrets named in `secrets` at 40 ms per request, against the ideal: start-up (a) plus
 *       3 round trips (challenge, token, one round of reads);
 *   (c) the size of dist/ against its budget.
 * A benchmark, not a test: it prints numbers and asserts nothing. BENCH_RUNS (default 15) runs of
 * each; BENCH_CONCURRENCY sets the `concurrency` input of (b) (default: the action's default).
 */
import { execFileSync } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { repoRoot, runAction } from '../support/runner.js'
import { StandIn } from '../support/standin/index.js'

const RUNS = Number(process.env.BENCH_RUNS ?? 15)
const CONCURRENCY = process.env.BENCH_CONCURRENCY
const TENANT = '11111111-1111-1111-1111-111111111111'
const APP = '22222222-2222-2222-2222-222222222222'
const LATENCY_MS = 40
const SECRETS = 100
const DIST_BUDGET_BYTES = 1.2e6

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2
}

function nodeFloorMs(): number {
  const start = performance.now()
  execFileSync(process.execPath, ['-e', '0'])
  return performance.now() - start
}

/** Like `du -sb`: the bytes of every file under dir. */
function bytesUnder(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((sum, entry) => {
    const path = join(dir, entry.name)
    return sum + (entry.isDirectory() ? bytesUnder(path) : statSync(path).size)
  }, 0)
}

const s = await StandIn.start()
try {
  s.addVault({ name: 'bench-kv', tenantId: TENANT, grants: { [APP]: ['get'] } }).setSecret('db-password', 'bench-value')
  s.addOidcApp(TENANT, APP)
  const signIn = { 'client-id': APP, 'tenant-id': TENANT }

  // (a) Cold start: each run is a fresh process, interleaved with the floor so both see the same load.
  const floors: number[] = []
  const gets: number[] = []
  for (let i = 0; i < RUNS; i++) {
    floors.push(nodeFloorMs())
    const r = await runAction({ inputs: { 'vault-name': 'bench-kv', 'secret-name': 'db-password', ...signIn }, env: s.oidcEnv(), standin: s })
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
    const inputs = { 'vault-name': 'bench-kv', secrets: names.join('\n'), ...(CONCURRENCY && { concurrency: CONCURRENCY }), ...signIn }
    const r = await runAction({ inputs, env: s.oidcEnv(), standin: s })
    if (r.exitCode !== 0 || Object.keys(r.outputs).length !== SECRETS) throw new Error(`${SECRETS}-secret run failed: ${r.errors.join('; ')}`)
    bulk.push(r.durationMs)
    counts.token = Math.max(counts.token, s.requestsTo('entra', 'POST').length)
    counts.idToken = Math.max(counts.idToken, s.requestsTo('github').length)
    counts.challenged = Math.max(counts.challenged, s.requestsTo('vault').filter((req) => req.status === 401).length)
  }
  s.latencyMs = 0
  const bulkIdeal = startUp + 3 * LATENCY_MS

  // (c) What the runner downloads and Node may parse.
  const distBytes = bytesUnder(join(repoRoot, 'dist'))

  const ms = (value: number): string => `${value.toFixed(0)} ms`
  const rows = [
    ['scenario', 'measured median', 'ideal', 'ratio', 'target'],
    ['(a) cold start, one get (OIDC)', ms(startUp), `${ms(floor)} (node -e 0)`, `${(startUp / floor).toFixed(2)}x`, '<= 3x'],
    [
      `(b) ${SECRETS} secrets at ${LATENCY_MS} ms/request${CONCURRENCY ? `, concurrency ${CONCURRENCY}` : ''}`,
      ms(median(bulk)),
      `${ms(bulkIdeal)} (a + 3 x ${LATENCY_MS} ms)`,
      `${(median(bulk) / bulkIdeal).toFixed(2)}x`,
      '<= 1.1x'
    ],
    ['(c) dist/ size', `${(distBytes / 1e6).toFixed(2)} MB`, `${(DIST_BUDGET_BYTES / 1e6).toFixed(2)} MB (budget)`, `${(distBytes / DIST_BUDGET_BYTES).toFixed(2)}x`, '<= 1x']
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
  await s.stop()
}
