/**
 * `npm run bench:startup`: start-up against the floor and a peer, in one run, round-robin, medians.
 * Each round runs, one after the other (so all see the same load from the rest of the machine):
 *   - `node -e 0`, the Node process floor;
 *   - ours: a cold `get` of one secret (service principal, no latency), and when its first request
 *     reached the stand-in; the same with 20 ms latency a request; the post step of that `get`;
 *   - hashicorp/vault-action's own release bundle (PEER_VAULT_ACTION: the path of its dist/index.js,
 *     its action.yml in the folder above; skipped when not set) reading one KV v2 secret with a token
 *     from a tiny loopback stand-in of the Vault endpoint it needs, with and without the latency;
 *   - 100 secrets at 40 ms a request, ours and the peer's, and the same reads by bare node:https
 *     (bare-reads.mjs) with the token in hand: the floor.
 * With BASE_ACTION (a folder holding another build's action.yml and dist/, e.g. main's), its cold
 * `get`, first request, post step and 100 reads are timed in the same rounds: before and after.
 * A benchmark, not a test: it prints numbers and asserts nothing. BENCH_RUNS (default 15) rounds;
 * BENCH_PEER_BULK_RUNS (default 5) of them also time the peer's 100 reads (about 4.5 s each).
 */
import { spawn } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { createServer, type Server } from 'node:https'
import type { AddressInfo } from 'node:net'
import { dirname, join, resolve } from 'node:path'
import { repoRoot, routeModuleUrl, runAction, runPost, type RunResult } from '../support/runner.js'
import { StandIn } from '../support/standin/index.js'
import { testPki } from '../support/standin/pki.js'

const RUNS = Number(process.env.BENCH_RUNS ?? 15)
const PEER_BULK_RUNS = Number(process.env.BENCH_PEER_BULK_RUNS ?? 5)
const PEER = process.env.PEER_VAULT_ACTION ? resolve(process.env.PEER_VAULT_ACTION) : undefined
const BASE = process.env.BASE_ACTION ? join(resolve(process.env.BASE_ACTION), 'action.yml') : undefined
const PEER_YML = PEER ? join(dirname(PEER), '..', 'action.yml') : undefined
const TENANT = '11111111-1111-1111-1111-111111111111'
const APP = '33333333-3333-3333-3333-333333333333'
const SECRET = 'bench~Sp.Secret_0123456789'
const LATENCY_MS = 20
const BULK_LATENCY_MS = 40
const SECRETS = 100
const DIST_BUDGET_BYTES = 1.5e6

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2
}

/** Runs a Node process; resolves with its stdout and its wall time from spawn to exit. */
function node(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<{ out: string; ms: number }> {
  return new Promise((resolvePromise, reject) => {
    const started = performance.now()
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()))
    child.on('error', reject)
    child.on('close', (status) =>
      status === 0
        ? resolvePromise({ out, ms: performance.now() - started })
        : reject(new Error(`node ${args.join(' ')}: ${err}`))
    )
  })
}

/** The KV v2 read endpoint vault-action needs (GET /v1/secret/data/<name>), on loopback, over TLS. */
class VaultKv {
  latencyMs = 0
  readonly arrivals: number[] = []
  private readonly server: Server

  private constructor() {
    const pki = testPki()
    this.server = createServer({ cert: pki.serverCertPem, key: pki.serverKeyPem }, (req, res) => {
      this.arrivals.push(Date.now())
      const name = /^\/v1\/secret\/data\/([\w-]+)$/.exec(req.url ?? '')?.[1]
      const body = name
        ? JSON.stringify({
            request_id: '0',
            lease_id: '',
            renewable: false,
            lease_duration: 0,
            data: { data: { value: `value-of-${name}` }, metadata: { version: 1 } }
          })
        : JSON.stringify({ errors: [] })
      setTimeout(() => {
        res.writeHead(name ? 200 : 404, { 'content-type': 'application/json' })
        res.end(body)
      }, this.latencyMs)
    })
  }

  static async start(): Promise<VaultKv> {
    const kv = new VaultKv()
    await new Promise<void>((ready) => kv.server.listen(0, '127.0.0.1', ready))
    return kv
  }

  get url(): string {
    return `https://localhost:${(this.server.address() as AddressInfo).port}`
  }

  stop(): Promise<void> {
    this.server.closeAllConnections()
    return new Promise((done) => this.server.close(() => done()))
  }
}

function bytesUnder(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((sum, entry) => {
    const path = join(dir, entry.name)
    return sum + (entry.isDirectory() ? bytesUnder(path) : statSync(path).size)
  }, 0)
}

const ok = (r: RunResult, what: string): RunResult => {
  if (r.exitCode !== 0) throw new Error(`${what} failed: ${r.errors.join('; ')} ${r.stderr}`)
  return r
}

const s = await StandIn.start()
const peerAvailable = PEER !== undefined && existsSync(PEER) && PEER_YML !== undefined && existsSync(PEER_YML)
const kv = peerAvailable ? await VaultKv.start() : undefined
if (!peerAvailable)
  console.log(
    PEER
      ? `PEER_VAULT_ACTION=${PEER}: no such file (or no action.yml beside its dist/): the peer is skipped`
      : 'PEER_VAULT_ACTION not set: the peer is skipped'
  )
try {
  const vault = s.addVault({ name: 'bench-kv', tenantId: TENANT, grants: { [APP]: ['get'] } })
  vault.setSecret('db-password', 'bench-value')
  const names = Array.from({ length: SECRETS }, (_, i) => `many-${String(i).padStart(3, '0')}`)
  for (const [i, name] of names.entries()) vault.setSecret(name, `value-${i}`)
  const app = s.addApp({ tenantId: TENANT, clientId: APP, clientSecret: SECRET })
  const signIn = { 'client-id': APP, 'tenant-id': TENANT, 'client-secret': SECRET }
  const token = s.mintAccessToken({ tenantId: TENANT, appId: APP, oid: app.objectId }).token

  const ours = (inputs: Record<string, string>, actionYml?: string): Promise<RunResult> =>
    runAction({ inputs: { 'vault-name': 'bench-kv', ...inputs, ...signIn }, standin: s, actionYml })
  const peer = (secrets: string): Promise<RunResult> =>
    runAction({
      actionYml: PEER_YML,
      entry: PEER,
      inputs: { url: kv?.url ?? '', method: 'token', token: 'bench-vault-token', secrets },
      standin: s
    })
  /** ms from spawn to the first request that reached a stand-in. */
  const firstRequest = (r: RunResult, arrivals: readonly number[]): number =>
    Math.min(...arrivals.filter((at) => at >= r.startedAt)) - r.startedAt

  const t = {
    node: [] as number[],
    ours: [] as number[],
    oursFirst: [] as number[],
    ours20: [] as number[],
    ours20First: [] as number[],
    post: [] as number[],
    peer: [] as number[],
    peerFirst: [] as number[],
    peer20: [] as number[],
    oursBulk: [] as number[],
    peerBulk: [] as number[],
    bare: [] as number[],
    base: [] as number[],
    baseFirst: [] as number[],
    base20: [] as number[],
    basePost: [] as number[],
    baseBulk: [] as number[]
  }
  const peerSecrets = names.map((name) => `secret/data/${name} value | ${name.toUpperCase().replace(/-/g, '_')}`)
  for (let round = 0; round < RUNS; round++) {
    t.node.push((await node(['-e', '0'])).ms)

    s.requests.length = 0
    const get = ok(await ours({ 'secret-name': 'db-password' }), 'get')
    t.ours.push(get.durationMs)
    t.oursFirst.push(
      firstRequest(
        get,
        s.requests.map((q) => q.arrived)
      )
    )

    // Bare, as the runner starts it (and as `node -e 0` is timed): the post step sends no request, so
    // the harness's routing preload (about 15 ms) would only measure the harness.
    t.post.push(ok(await runPost(get.state, { standin: s, preload: false }), 'post').durationMs)

    if (kv) {
      kv.arrivals.length = 0
      const r = ok(await peer('secret/data/db-password value | DB_PASSWORD'), 'peer')
      if (r.outputs.DB_PASSWORD !== 'value-of-db-password') throw new Error('peer: no output')
      t.peer.push(r.durationMs)
      t.peerFirst.push(firstRequest(r, kv.arrivals))
    }

    s.latencyMs = LATENCY_MS
    s.requests.length = 0
    const slow = ok(await ours({ 'secret-name': 'db-password' }), 'get at 20 ms')
    s.latencyMs = 0
    t.ours20.push(slow.durationMs)
    t.ours20First.push(
      firstRequest(
        slow,
        s.requests.map((q) => q.arrived)
      )
    )
    if (kv) {
      kv.latencyMs = LATENCY_MS
      t.peer20.push(ok(await peer('secret/data/db-password value | DB_PASSWORD'), 'peer at 20 ms').durationMs)
      kv.latencyMs = 0
    }

    if (BASE) {
      s.requests.length = 0
      const before = ok(await ours({ 'secret-name': 'db-password' }, BASE), 'base get')
      t.base.push(before.durationMs)
      t.baseFirst.push(
        firstRequest(
          before,
          s.requests.map((q) => q.arrived)
        )
      )
      t.basePost.push(
        ok(await runPost(before.state, { standin: s, actionYml: BASE, preload: false }), 'base post').durationMs
      )
      s.latencyMs = LATENCY_MS
      t.base20.push(ok(await ours({ 'secret-name': 'db-password' }, BASE), 'base get at 20 ms').durationMs)
      s.latencyMs = BULK_LATENCY_MS
      t.baseBulk.push(ok(await ours({ secrets: names.join('\n') }, BASE), 'base bulk').durationMs)
      s.latencyMs = 0
    }

    s.latencyMs = BULK_LATENCY_MS
    const bulk = ok(await ours({ secrets: names.join('\n') }), 'bulk')
    if (Object.keys(bulk.outputs).length !== SECRETS) throw new Error('bulk: missing outputs')
    t.oursBulk.push(bulk.durationMs)
    const bareEnv = {
      ...process.env,
      ...s.childEnv(),
      BARE_HOST: 'bench-kv.vault.azure.net',
      BARE_TOKEN: token,
      BARE_NAMES: names.join('\n'),
      BARE_CONCURRENCY: '64'
    }
    t.bare.push(
      Number((await node(['--import', routeModuleUrl, join(repoRoot, '__tests__/bench/bare-reads.mjs')], bareEnv)).out)
    )
    s.latencyMs = 0
    if (kv && round < PEER_BULK_RUNS) {
      kv.latencyMs = BULK_LATENCY_MS
      t.peerBulk.push(ok(await peer(peerSecrets.join(';\n')), 'peer bulk').durationMs)
      kv.latencyMs = 0
    }
  }

  const m = Object.fromEntries(Object.entries(t).map(([key, values]) => [key, median(values)])) as Record<
    keyof typeof t,
    number
  >
  const ms = (value: number): string => (Number.isFinite(value) ? `${value.toFixed(0)} ms` : 'n/a')
  const x = (value: number, base: number): string =>
    Number.isFinite(value) && Number.isFinite(base) && base > 0 ? `${(value / base).toFixed(2)}x` : 'n/a'
  const peerOr = (value: number): number => (kv ? value : Number.NaN)
  // Our `get` (service principal) cannot overlap two round trips: the token request follows the
  // vault's challenge (it names the scope and tenant), and the read needs the token. The challenge
  // overlaps with start-up.
  const bulkFloor = m.ours + BULK_LATENCY_MS + m.bare
  const distBytes = bytesUnder(join(repoRoot, 'dist'))
  const rows = [
    ['measure', 'median', 'against', 'ratio'],
    ['node -e 0', ms(m.node), '', ''],
    [
      'cold get, 1 secret, service principal (ours)',
      ms(m.ours),
      `${ms(peerOr(m.peer))} (vault-action)`,
      x(m.ours, peerOr(m.peer))
    ],
    [
      '    its first request at',
      ms(m.oursFirst),
      `${ms(peerOr(m.peerFirst))} (vault-action)`,
      x(m.oursFirst, peerOr(m.peerFirst))
    ],
    [
      'cold get, 20 ms a request (ours)',
      ms(m.ours20),
      `${ms(m.ours + 2 * LATENCY_MS)} (no latency + 2 round trips)`,
      x(m.ours20, m.ours + 2 * LATENCY_MS)
    ],
    ['    growth with 20 ms latency', ms(m.ours20 - m.ours), `${ms(2 * LATENCY_MS)} (2 round trips)`, ''],
    ['    its first request at', ms(m.ours20First), '', ''],
    [
      'vault-action, 20 ms a request',
      ms(peerOr(m.peer20)),
      `${ms(peerOr(m.peer + LATENCY_MS))} (no latency + 1 round trip)`,
      ''
    ],
    ['post step (ours)', ms(m.post), `${ms(m.node)} (node -e 0)`, x(m.post, m.node)],
    [
      `${SECRETS} secrets at ${BULK_LATENCY_MS} ms a request (ours)`,
      ms(m.oursBulk),
      `${ms(bulkFloor)} (cold get + 1 round trip + bare reads)`,
      x(m.oursBulk, bulkFloor)
    ],
    ['    the reads by bare node:https', ms(m.bare), '', ''],
    [
      `${SECRETS} secrets at ${BULK_LATENCY_MS} ms (vault-action, one at a time)`,
      ms(peerOr(t.peerBulk.length ? m.peerBulk : Number.NaN)),
      `${ms(m.oursBulk)} (ours)`,
      x(peerOr(m.peerBulk), m.oursBulk)
    ],
    [
      'dist/ size',
      `${(distBytes / 1e6).toFixed(2)} MB`,
      `${(DIST_BUDGET_BYTES / 1e6).toFixed(2)} MB (budget)`,
      x(distBytes, DIST_BUDGET_BYTES)
    ]
  ]
  if (BASE) {
    rows.push(
      [`before (${process.env.BASE_ACTION}): cold get`, ms(m.base), `${ms(m.ours)} (after)`, x(m.ours, m.base)],
      ['    its first request at', ms(m.baseFirst), `${ms(m.oursFirst)} (after)`, x(m.oursFirst, m.baseFirst)],
      ['    cold get, 20 ms a request', ms(m.base20), `${ms(m.ours20)} (after)`, x(m.ours20, m.base20)],
      ['    post step', ms(m.basePost), `${ms(m.post)} (after)`, x(m.post, m.basePost)],
      [
        `    ${SECRETS} secrets at ${BULK_LATENCY_MS} ms`,
        ms(m.baseBulk),
        `${ms(m.oursBulk)} (after)`,
        x(m.oursBulk, m.baseBulk)
      ]
    )
  }
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? []
  console.log(`node ${process.version}, ${RUNS} rounds (peer's ${SECRETS} reads: ${t.peerBulk.length})`)
  for (const [index, row] of rows.entries()) {
    console.log(`| ${row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`)
    if (index === 0) console.log(`|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`)
  }
  if (process.env.BENCH_RAW) console.log(JSON.stringify(t))
} finally {
  await kv?.stop()
  await s.stop()
}
