/**
 * `npm run bench`: wall time of one `get` run of the committed action (child process, OIDC, through
 * the stand-in on loopback) against the Node process floor (`node -e 0` on the same Node).
 * A benchmark, not a test: it prints numbers and asserts nothing.
 */
import { execFileSync } from 'node:child_process'
import { runAction } from '../support/runner.js'
import { StandIn } from '../support/standin/index.js'

const RUNS = Number(process.env.BENCH_RUNS ?? 15)
const TENANT = '11111111-1111-1111-1111-111111111111'
const APP = '22222222-2222-2222-2222-222222222222'

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

const s = await StandIn.start()
try {
  s.addVault({ name: 'bench-kv', tenantId: TENANT, grants: { [APP]: ['get'] } }).setSecret('db-password', 'bench-value')
  s.addApp({
    tenantId: TENANT,
    clientId: APP,
    federated: [{ issuer: 'https://token.actions.githubusercontent.com', subject: s.github.subject, audience: 'api://AzureADTokenExchange' }]
  })
  const floors: number[] = []
  const gets: number[] = []
  for (let i = 0; i < RUNS; i++) {
    floors.push(nodeFloorMs())
    const r = await runAction({
      inputs: { 'vault-name': 'bench-kv', 'secret-name': 'db-password', 'client-id': APP, 'tenant-id': TENANT },
      env: s.oidcEnv(),
      standin: s
    })
    if (r.exitCode !== 0) throw new Error(`run ${i} failed: ${r.errors.join('; ')}`)
    gets.push(r.durationMs)
  }
  const floor = median(floors)
  const get = median(gets)
  console.log(`node ${process.version}, ${RUNS} runs`)
  console.log(`node -e 0 (floor)      median ${floor.toFixed(0)} ms`)
  console.log(`one get (OIDC, child)  median ${get.toFixed(0)} ms  (${(get / floor).toFixed(1)}x the floor)`)

  // 100 secrets at 40 ms per request. Ideal: start-up (one get with no latency) + 3 round trips
  // (challenge, token, one round of reads).
  const LATENCY_MS = 40
  const vault = s.vault('bench-kv')
  for (let i = 0; i < 100; i++) vault.setSecret(`many-${String(i).padStart(3, '0')}`, `value-${i}`)
  const entries = Array.from({ length: 100 }, (_, i) => `many-${String(i).padStart(3, '0')}`).join('\n')
  const ideal = get + 3 * LATENCY_MS
  s.latencyMs = LATENCY_MS
  console.log(`100 secrets at ${LATENCY_MS} ms per request; ideal ${ideal.toFixed(0)} ms (start-up + 3 round trips)`)
  for (const concurrency of [8, 16, 32, 64]) {
    const times: number[] = []
    for (let i = 0; i < Math.max(3, Math.floor(RUNS / 3)); i++) {
      const r = await runAction({
        inputs: { 'vault-name': 'bench-kv', secrets: entries, concurrency: String(concurrency), 'client-id': APP, 'tenant-id': TENANT },
        env: s.oidcEnv(),
        standin: s
      })
      if (r.exitCode !== 0 || Object.keys(r.outputs).length !== 100) throw new Error(`100-secret run failed: ${r.errors.join('; ')}`)
      times.push(r.durationMs)
    }
    const t = median(times)
    console.log(`  concurrency ${String(concurrency).padStart(2)}: median ${t.toFixed(0)} ms  (${(t / ideal).toFixed(2)}x the ideal)`)
  }
  s.latencyMs = 0
} finally {
  await s.stop()
}
