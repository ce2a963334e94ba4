/**
 * `npm run bench:throttled`: 200 secrets read by wildcard from a vault that admits 60 requests per
 * second (the stand-in's RateLimit: 1-second windows, 429 Throttled with Retry-After beyond that),
 * run as the runner runs the committed action. A benchmark, not a test: it prints numbers and fails
 * only when a run fails or a value is wrong. BENCH_CONCURRENCY sets the `concurrency` input.
 *
 * The floor: the vault admits at most 60 requests per window, so R requests need at least
 * ceil(R / 60) windows, the last of which need not be waited out:
 *   ideal = start-up + (ceil(R / 60) - 1) s
 * where start-up is one `get` run with no rate limit and no latency. Two values of R are shown:
 * every request the run made (429s included, the target's definition) and only the admitted ones
 * (the stricter floor: throttled requests are waste, and the stand-in does not count them).
 * Target: at most 1.15x the ideal.
 */
import { join } from 'node:path'
import { readActionDefinition, repoRoot, runAction, type RunResult } from '../support/runner.js'
import { StandIn } from '../support/standin/index.js'

const RUNS = Number(process.env.BENCH_RUNS ?? 5)
// The `concurrency` input of the throttled runs: BENCH_CONCURRENCY, else the input's default.
const CONCURRENCY = process.env.BENCH_CONCURRENCY
const DEFAULT_CONCURRENCY = readActionDefinition(join(repoRoot, 'action.yml')).inputs.concurrency?.default ?? ''
const SECRETS = 200
const RATE = 60
const TARGET = 1.15
const TENANT = '11111111-1111-1111-1111-111111111111'
const APP = '22222222-2222-2222-2222-222222222222'
const name = (i: number): string => `app-${String(i).padStart(3, '0')}`
const value = (i: number): string => `value-${i}-${'x'.repeat(i % 7)}`

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2
}

const s = await StandIn.start()
try {
  const vault = s.addVault({ name: 'bench-kv', tenantId: TENANT, grants: { [APP]: ['get', 'list'] } })
  vault.setSecret('db-password', 'bench-value')
  for (let i = 0; i < SECRETS; i++) vault.setSecret(name(i), value(i))
  s.addOidcApp(TENANT, APP)
  const run = (inputs: Record<string, string>): Promise<RunResult> =>
    runAction({
      inputs: { 'vault-name': 'bench-kv', 'client-id': APP, 'tenant-id': TENANT, ...inputs },
      env: s.oidcEnv(),
      standin: s
    })

  const startups: number[] = []
  for (let i = 0; i < RUNS; i++) {
    const r = await run({ 'secret-name': 'db-password' })
    if (r.exitCode !== 0) throw new Error(`start-up run failed: ${r.errors.join('; ')}`)
    startups.push(r.durationMs)
  }
  const startup = median(startups)
  console.log(
    `node ${process.version}, ${RUNS} runs; start-up (one get, no latency, no limit): median ${startup.toFixed(0)} ms`
  )
  console.log(
    `${SECRETS} secrets by wildcard ('app-*') from a vault limited to ${RATE} requests/s, concurrency ${CONCURRENCY ?? `${DEFAULT_CONCURRENCY} (default)`}`
  )

  // With Retry-After, as the floor below assumes (the service often sends none; the e2e faults test covers that).
  vault.rateLimit = { requests: RATE, retryAfterSeconds: 'window' }
  const rows: { ms: number; total: number; admitted: number; throttled: number; peak: number; peakLater: number }[] = []
  for (let i = 0; i < RUNS; i++) {
    s.requests.length = 0
    // A fresh window for every run.
    await new Promise((resolve) => setTimeout(resolve, 1100))
    const r = await run({ secrets: 'app-*', ...(CONCURRENCY && { concurrency: CONCURRENCY }) })
    const wrong = Array.from({ length: SECRETS }, (_, k) => k).filter((k) => r.outputs[name(k)] !== value(k))
    if (r.exitCode !== 0 || wrong.length > 0)
      throw new Error(`throttled run ${i} failed: ${r.errors.join('; ')}; ${wrong.length} values wrong`)
    const requests = s.requestsTo('vault')
    const throttled = requests.filter((q) => q.status === 429)
    const firstPauseEnd = (throttled[0]?.time ?? 0) + 1000
    rows.push({
      ms: r.durationMs,
      total: requests.length,
      admitted: requests.length - throttled.length,
      throttled: throttled.length,
      peak: s.peakInFlight('vault'),
      peakLater: throttled.length > 0 ? s.peakInFlight('vault', firstPauseEnd) : 0
    })
  }
  const ideal = (requests: number): number => startup + (Math.ceil(requests / RATE) - 1) * 1000
  console.log(
    'run  measured  requests (429s)  ideal(all)  ratio  ideal(admitted)  ratio  peak in flight before/after the first pause'
  )
  rows.forEach((row, i) => {
    console.log(
      `${String(i + 1).padStart(3)}  ${row.ms.toFixed(0).padStart(6)} ms  ${String(row.total).padStart(5)} (${String(row.throttled).padStart(3)})  ` +
        `${ideal(row.total).toFixed(0).padStart(7)} ms  ${(row.ms / ideal(row.total)).toFixed(2)}  ${ideal(row.admitted).toFixed(0).padStart(10)} ms  ` +
        `${(row.ms / ideal(row.admitted)).toFixed(2)}  ${row.peak}/${row.peakLater}`
    )
  })
  const measured = median(rows.map((row) => row.ms))
  const total = median(rows.map((row) => row.total))
  const admitted = median(rows.map((row) => row.admitted))
  console.log(
    `median: measured ${measured.toFixed(0)} ms; requests ${total} -> ideal ${ideal(total).toFixed(0)} ms, ratio ${(measured / ideal(total)).toFixed(2)}; ` +
      `admitted ${admitted} -> ideal ${ideal(admitted).toFixed(0)} ms, ratio ${(measured / ideal(admitted)).toFixed(2)} (target <= ${TARGET})`
  )
} finally {
  await s.stop()
}
