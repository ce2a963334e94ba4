/**
 * `npm run bench:matrix`: a job matrix that shares one vault. N legs (processes of the committed
 * action, started at once as a matrix starts its jobs) each read the same S secrets by a glob from a
 * vault that admits L requests per sliding window of W seconds and answers 429 without Retry-After
 * beyond that (as Key Vault does: 4,000 reads per 10 s, most often with no Retry-After). A
 * benchmark, not a test: it prints numbers and fails only when it cannot run.
 *
 *   npm run bench:matrix -- --legs 12 --secrets 40 --limit 400 --window 10
 *   npm run bench:matrix -- --legs 24 --secrets 25 --limit 200 --window 10
 *   npm run bench:matrix -- --legs 24 --secrets 25 --limit 200 --window 10 --concurrency 8
 *
 * Printed: the wall time (first leg started to last leg ended); the limit's own pace, the time the
 * requests the vault served need at its limit (the first L go at once, each further L one window
 * later) plus one leg's time alone; efficiency = pace / wall; throttled answers per served request;
 * and every leg's outcome (exit code, time, values right). --timeline: requests served/throttled per
 * second; --slowest: every leg in debug mode, and the slowest leg's retries (each 429 and its wait).
 */
import { parseArgs } from 'node:util'
import { runAction, type RunResult } from '../support/runner.js'
import { StandIn } from '../support/standin/index.js'

const { values: options } = parseArgs({
  options: {
    legs: { type: 'string', default: '12' },
    secrets: { type: 'string', default: '40' },
    limit: { type: 'string', default: '400' },
    window: { type: 'string', default: '10' },
    // The legs' `concurrency` input (default: the action's own default, left unset).
    concurrency: { type: 'string' },
    timeline: { type: 'boolean', default: false },
    // Every leg in debug mode (more log, a little more CPU); the slowest leg's retries are printed.
    slowest: { type: 'boolean', default: false }
  }
})
const LEGS = Number(options.legs)
const SECRETS = Number(options.secrets)
const LIMIT = Number(options.limit)
const WINDOW_MS = Number(options.window) * 1000
const TENANT = '11111111-1111-1111-1111-111111111111'
const APP = '22222222-2222-2222-2222-222222222222'
const name = (i: number): string => `app-${String(i).padStart(3, '0')}`
const value = (i: number): string => `value-${i}-${'x'.repeat(i % 7)}`

const s = await StandIn.start()
try {
  const vault = s.addVault({ name: 'matrix-kv', tenantId: TENANT, grants: { [APP]: ['get', 'list'] } })
  for (let i = 0; i < SECRETS; i++) vault.setSecret(name(i), value(i))
  s.addOidcApp(TENANT, APP)
  const leg = (): Promise<RunResult> =>
    runAction({
      inputs: {
        'vault-name': 'matrix-kv',
        'client-id': APP,
        'tenant-id': TENANT,
        secrets: 'app-*',
        ...(options.concurrency !== undefined && { concurrency: options.concurrency })
      },
      env: s.oidcEnv(),
      standin: s,
      timeoutMs: 600_000,
      debug: options.slowest
    })
  const wrongValues = (r: RunResult): number =>
    Array.from({ length: SECRETS }, (_, k) => k).filter((k) => r.outputs[name(k)] !== value(k)).length

  // One leg alone, no limit: the floor every leg's own work sets.
  const alone = await leg()
  if (alone.exitCode !== 0 || wrongValues(alone) > 0) throw new Error(`a leg alone failed: ${alone.errors.join('; ')}`)

  vault.rateLimit = { requests: LIMIT, periodMs: WINDOW_MS }
  // Nothing of the run alone left in the window.
  await new Promise((resolve) => setTimeout(resolve, WINDOW_MS + 100))
  s.requests.length = 0
  const started = Date.now()
  const results = await Promise.all(Array.from({ length: LEGS }, () => leg()))
  const wallMs = Math.max(...results.map((r) => r.startedAt + r.durationMs)) - started

  const requests = s.requestsTo('vault')
  const throttled = requests.filter((q) => q.rateLimited).length
  const served = requests.length - throttled
  const paceMs = (Math.ceil(served / LIMIT) - 1) * WINDOW_MS + alone.durationMs
  console.log(
    `node ${process.version}; ${LEGS} legs x ${SECRETS} secrets ('app-*'); vault limit ${LIMIT} per ${WINDOW_MS / 1000} s (sliding), 429 without Retry-After`
  )
  console.log(`one leg alone: ${alone.durationMs.toFixed(0)} ms`)
  results.forEach((r, i) =>
    console.log(
      `leg ${String(i + 1).padStart(2)}: exit ${r.exitCode} in ${(r.durationMs / 1000).toFixed(1)} s, ${SECRETS - wrongValues(r)}/${SECRETS} values right${r.exitCode === 0 ? '' : `: ${r.errors.join('; ')}`}`
    )
  )
  if (options.timeline) {
    // Per second since the start: requests the vault served / throttled.
    const seconds = new Map<number, [number, number]>()
    for (const q of requests) {
      const second = Math.floor((q.arrived - started) / 1000)
      const counts = seconds.get(second) ?? [0, 0]
      counts[q.rateLimited ? 1 : 0] += 1
      seconds.set(second, counts)
    }
    console.log(
      [...seconds.entries()]
        .sort(([a], [b]) => a - b)
        .map(([second, [ok, limited]]) => `${second}s:${ok}/${limited}`)
        .join(' ')
    )
  }
  if (options.slowest) {
    const slowest = results.reduce((a, b) => (b.durationMs > a.durationMs ? b : a))
    console.log(`the slowest leg (${(slowest.durationMs / 1000).toFixed(1)} s), its retries, in order:`)
    for (const line of slowest.log.filter((text) => /: 429; retry/.test(text))) console.log(`  ${line}`)
  }
  const succeeded = results.filter((r) => r.exitCode === 0 && wrongValues(r) === 0).length
  console.log(
    `wall ${(wallMs / 1000).toFixed(1)} s; served ${served}, throttled ${throttled}; pace at the limit ${(paceMs / 1000).toFixed(1)} s; ` +
      `efficiency ${(paceMs / wallMs).toFixed(2)}; throttled per served ${(throttled / served).toFixed(2)}; legs succeeded ${succeeded}/${LEGS}`
  )
} finally {
  await s.stop()
}
