/**
 * bench:startup's optional 100-secret measure (BENCH_BULK=1): 100 secrets at 40 ms a request, ours
 * (service principal), the same reads by bare node:https with a token in hand (bare-reads.mjs, the
 * transport's floor), the build of BASE_ACTION, and hashicorp/vault-action (one secret after the
 * other, about 4.5 s a run: only in the first BENCH_PEER_BULK_RUNS rounds, default 5).
 */
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { repoRoot, routeModuleUrl, runAction } from '../support/runner.js'
import type { Vault } from '../support/standin/index.js'
import { VaultToken } from './peer-standins.js'
import { record, type BulkRow, type Samples } from './report.js'
import { App, AppSecret, Tenant, VaultName, type BenchContext, type Task } from './systems.js'

export const BulkLatencyMs = 40
const Secrets = 100
const names = Array.from({ length: Secrets }, (_, i) => `many-${String(i).padStart(3, '0')}`)

export function seedBulk(vault: Vault): void {
  for (const [i, name] of names.entries()) vault.setSecret(name, `value-${i}`)
}

const versusOurs = { key: 'ours-bulk', label: 'ours' }
/** The table's rows (report.ts). */
export const bulkRows: readonly BulkRow[] = [
  { label: `${Secrets} secrets at ${BulkLatencyMs} ms a request, ours (service principal)`, key: 'ours-bulk' },
  { label: '    the same reads by bare node:https, token in hand', key: 'bare' },
  { label: '    before (BASE_ACTION)', key: 'base-bulk', versus: versusOurs },
  { label: '    hashicorp/vault-action, token (one secret after the other)', key: 'vault-bulk', versus: versusOurs }
]

/** Runs bare-reads.mjs; resolves with the ms it printed (the reads, after one that warms the connection). */
function bareReads(context: BenchContext, token: string): Promise<number> {
  const args = [
    ...(context.preload ? ['--import', routeModuleUrl] : []),
    join(repoRoot, '__tests__/bench/bare-reads.mjs')
  ]
  const env = {
    ...process.env,
    ...context.s.childEnv(),
    ...context.env,
    BARE_HOST: `${VaultName}.vault.azure.net`,
    BARE_TOKEN: token,
    BARE_NAMES: names.join('\n'),
    BARE_CONCURRENCY: '64'
  }
  return new Promise((resolve, reject) => {
    const child = spawn(context.node, args, { env, stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
    child.on('error', reject)
    child.on('close', (status) => (status === 0 ? resolve(Number(out)) : reject(new Error('bare-reads.mjs failed'))))
  })
}

export function bulkTasks(
  context: BenchContext,
  samples: Samples,
  options: { baseYml?: string; vaultYml?: string; peerBulkRuns: number; token: string }
): Task[] {
  const ours = (key: string, actionYml?: string): Task => ({
    key,
    run: async (round) => {
      context.s.latencyMs = BulkLatencyMs
      const inputs = { 'vault-name': VaultName, secrets: names.join('\n'), 'client-id': App, 'tenant-id': Tenant }
      const common = { standin: context.s, env: context.env, node: context.node, preload: context.preload }
      const r = await runAction({ ...common, actionYml, inputs: { ...inputs, 'client-secret': AppSecret } })
      context.s.latencyMs = 0
      if (r.exitCode !== 0 || Object.keys(r.outputs).length !== Secrets) throw new Error(`${key}: ${r.stderr}`)
      record(samples, key, round, r.durationMs)
    }
  })
  const tasks = [ours('ours-bulk'), ...(options.baseYml ? [ours('base-bulk', options.baseYml)] : [])]
  tasks.push({
    key: 'bare',
    run: async (round) => {
      context.s.latencyMs = BulkLatencyMs
      record(samples, 'bare', round, await bareReads(context, options.token))
      context.s.latencyMs = 0
    }
  })
  const { vaultYml } = options
  if (vaultYml)
    tasks.push({
      key: 'vault-bulk',
      run: async (round) => {
        if (round >= options.peerBulkRuns) return
        const secrets = names.map((name) => `secret/data/${name} value | ${name.toUpperCase().replace(/-/g, '_')}`)
        context.peers.latencyMs = BulkLatencyMs
        const inputs = { url: context.vaultUrl, method: 'token', token: VaultToken, secrets: secrets.join(';\n') }
        const common = { standin: context.s, env: context.env, node: context.node, preload: context.preload }
        const r = await runAction({ ...common, actionYml: vaultYml, inputs })
        context.peers.latencyMs = 0
        if (r.exitCode !== 0 || Object.keys(r.outputs).length !== Secrets) throw new Error(`vault-bulk: ${r.stderr}`)
        record(samples, 'vault-bulk', round, r.durationMs)
      }
    })
  return tasks
}
