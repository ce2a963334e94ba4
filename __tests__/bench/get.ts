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
} finally {
  await s.stop()
}
