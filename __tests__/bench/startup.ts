/**
 * `npm run bench:startup`: the cold start of a one-secret read, ours beside its peers, fairly.
 *
 * - No preload: the bench runs itself again in a private mount and network namespace
 *   (namespace.ts), where a private /etc/hosts names loopback addresses for the hosts the stand-ins
 *   play, the stand-in (Key Vault, Entra ID, GitHub's OIDC token service) listens on 127.0.0.1:443
 *   and the peers' endpoints (peer-standins.ts) on 127.0.0.2:443. Every action starts as
 *   `node <runs.main>`, as the runner starts it, with one and the same environment, and no compile
 *   cache (the runner keeps none). Where no namespace can be had (or with BENCH_PRELOAD=1), every
 *   child, ours and the peers', starts with `--import route.mjs` instead, and the output says so.
 * - One Node for every child: BENCH_NODE (or NODE, when not npm's own), else the project's Node (the
 *   `node` devDependency, node_modules/node/bin/node).
 * - Round-robin: each round runs every measure once, the order rotated by one each round; BENCH_RUNS
 *   rounds (default 15) after BENCH_WARMUP (default 1) untimed. Medians, and ratios as the median of
 *   per-round ratios.
 *
 * Measures: `node -e 0`; for each system (systems.ts: ours with a service principal and with OIDC,
 * BASE_ACTION's build of ours, each peer whose variable is set) a cold get of one secret, when its
 * first request arrived, and the same get at 20 ms a request; our post step. BENCH_BULK=1 adds the
 * 100-secret measure (bulk.ts). A benchmark, not a test: it prints numbers and asserts nothing but
 * that every run read its secret.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { repoRoot } from '../support/runner.js'
import { StandIn } from '../support/standin/index.js'
import { bulkRows, bulkTasks, seedBulk } from './bulk.js'
import { insideNamespace, namespaceUnavailable, privateHosts, rerunInNamespace } from './namespace.js'
import { PeerHosts, PeerStandIns } from './peer-standins.js'
import { bulkTable, startupTable, type Samples } from './report.js'
import * as sys from './systems.js'
import { nodeTask, postTask, roundRobin, systemTasks, type States } from './tasks.js'

const Rounds = Number(process.env.BENCH_RUNS ?? 15)
const Warmup = Number(process.env.BENCH_WARMUP ?? 1)
const PeerBulkRuns = Number(process.env.BENCH_PEER_BULK_RUNS ?? 5)
const Bulk = process.env.BENCH_BULK === '1'
// The latency of every request in the second timing of each system (BENCH_LATENCY_MS; larger counts round trips more precisely).
const LatencyMs = Number(process.env.BENCH_LATENCY_MS ?? 20)
const BaseYml = process.env.BASE_ACTION ? join(resolve(process.env.BASE_ACTION), 'action.yml') : undefined
/** Where the runner's ACTIONS_ID_TOKEN_REQUEST_URL points (s.oidcEnv()), and the issuer. */
const OidcHosts = ['pipelines.actions.githubusercontent.com', 'token.actions.githubusercontent.com']
const DistBudgetBytes = 1.5e6

if (BaseYml && !existsSync(BaseYml)) {
  console.error(
    `BASE_ACTION=${process.env.BASE_ACTION}: no action.yml there (a folder with another build's action.yml and dist/)`
  )
  process.exit(2)
}
if (!insideNamespace() && process.env.BENCH_PRELOAD !== '1') {
  const why = namespaceUnavailable()
  if (why === undefined) process.exit(rerunInNamespace())
  console.log(`No private network namespace here (${why}).`)
}
const preload = !insideNamespace()

/** BENCH_NODE; else NODE unless it is npm's own (npm run sets NODE to the Node running npm); else the project's. */
function nodeBinary(): string {
  const { BENCH_NODE, NODE, npm_node_execpath } = process.env
  if (BENCH_NODE) return resolve(BENCH_NODE)
  if (NODE && NODE !== npm_node_execpath) return resolve(NODE)
  const project = join(repoRoot, 'node_modules/node/bin/node')
  return existsSync(project) ? project : process.execPath
}

/** The world: one vault and secret, an app with a secret and one trusting GitHub's OIDC tokens, both allowed to read. */
function seed(s: StandIn): string {
  const grants = { [sys.App]: ['get' as const], [sys.OidcApp]: ['get' as const] }
  const vault = s.addVault({ name: sys.VaultName, tenantId: sys.Tenant, grants })
  vault.setSecret('db-password', sys.SecretValue)
  if (Bulk) seedBulk(vault)
  const app = s.addApp({ tenantId: sys.Tenant, clientId: sys.App, clientSecret: sys.AppSecret })
  s.addOidcApp(sys.Tenant, sys.OidcApp)
  return s.mintAccessToken({ tenantId: sys.Tenant, appId: sys.App, oid: app.objectId }).token
}

/** Stand-ins, host names, the CA file and the environment every child gets. */
async function setUp(work: string): Promise<{ context: sys.BenchContext; token: string; stop: () => Promise<void> }> {
  const hosts = preload ? undefined : privateHosts()
  const s = await StandIn.start(preload ? {} : { https: { address: '127.0.0.1', port: 443 } })
  const peers = await PeerStandIns.start(preload ? '127.0.0.1' : '127.0.0.2', preload ? 0 : 443)
  const token = seed(s)
  const names = new Map([...s.routeConfig().hosts, ...OidcHosts].map((host) => [host, '127.0.0.1']))
  for (const host of PeerHosts) names.set(host, '127.0.0.2')
  hosts?.write(names)
  const trust = join(work, 'trust.pem')
  writeFileSync(trust, `${s.caPem.trim()}\n${peers.certPem.trim()}\n`)
  const preloadPort = preload ? peers.port : undefined
  const env = {
    ...s.oidcEnv(),
    ...sys.peerEnv(sys.writeGoogleKey(work), preloadPort),
    NODE_EXTRA_CA_CERTS: trust,
    // Read only by the preload; and the runner keeps no compile cache (runner.ts sets one for the tests).
    ...(preload ? {} : { STANDIN_ROUTE: undefined }),
    NODE_COMPILE_CACHE: undefined
  }
  const context = { s, peers, env, node: nodeBinary(), preload, vaultUrl: sys.vaultUrl(preloadPort) }
  const stop = async (): Promise<void> => {
    await peers.stop()
    await s.stop()
    hosts?.remove()
  }
  return { context, token, stop }
}

function bytesUnder(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((sum, entry) => {
    const path = join(dir, entry.name)
    return sum + (entry.isDirectory() ? bytesUnder(path) : statSync(path).size)
  }, 0)
}

/** The machine's load averages over 1, 5 and 15 minutes: a quiet machine shows well under its cores. */
const load = (): string =>
  loadavg()
    .map((average) => average.toFixed(2))
    .join(' ')

function header(context: sys.BenchContext, skipped: readonly string[]): void {
  const version = spawnSync(context.node, ['--version'], { encoding: 'utf8' }).stdout.trim()
  console.log(
    `Node ${version} (${context.node}) for every child; ${Rounds} rounds after ${Warmup} warm-up, round-robin`
  )
  console.log(
    preload
      ? "Every child, ours and the peers', starts with --import route.mjs (the same preload for all; not preload-free)."
      : 'Preload-free: every child starts as `node <runs.main>` in a private network namespace; host names through its /etc/hosts.'
  )
  for (const line of skipped) console.log(line)
  console.log(`load average at the start: ${load()}`)
}

function report(samples: Samples, systems: readonly sys.System[]): void {
  console.log('')
  console.log("Medians over the rounds. ratio = the median over rounds of (the other system's time ÷ this one's):")
  console.log('above 1, this one is faster. round trips: how much a get grows when every request takes 20 ms more.')
  for (const line of startupTable(samples, systems, LatencyMs)) console.log(line)
  if (Bulk) {
    console.log('')
    for (const line of bulkTable(samples, bulkRows)) console.log(line)
  }
  const dist = bytesUnder(join(repoRoot, 'dist'))
  console.log(`\ndist/: ${(dist / 1e6).toFixed(2)} MB (budget ${(DistBudgetBytes / 1e6).toFixed(2)} MB)`)
  console.log(`load average at the end: ${load()}`)
  if (process.env.BENCH_RAW) console.log(JSON.stringify(Object.fromEntries(samples)))
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'bench-startup-'))
  const { context, token, stop } = await setUp(work)
  try {
    const peers = sys.peerSystems(preload)
    const systems = [...sys.ourSystems(BaseYml), ...peers.systems]
    const samples: Samples = new Map()
    const states: States = new Map()
    const vaultAction = peers.systems.some((system) => system.key === 'vault-token')
    const vaultFolder = vaultAction ? sys.actionFolder(process.env.PEER_VAULT_ACTION ?? '') : undefined
    const vaultYml = vaultFolder && join(vaultFolder, 'action.yml')
    const tasks = [
      nodeTask(context, samples),
      ...systems.flatMap((system) => systemTasks(system, context, samples, states, LatencyMs)),
      postTask('post', 'ours-sp', undefined, context, samples, states),
      ...(BaseYml ? [postTask('base-post', 'base-sp', BaseYml, context, samples, states)] : []),
      ...(Bulk
        ? bulkTasks(context, samples, {
            baseYml: BaseYml,
            vaultYml,
            peerBulkRuns: PeerBulkRuns,
            token
          })
        : [])
    ]
    header(context, peers.skipped)
    await roundRobin(tasks, samples, Warmup, Rounds)
    report(samples, systems)
  } finally {
    await stop()
    rmSync(work, { recursive: true, force: true })
  }
}

await main()
