/**
 * What bench:startup times: each system is one action's cold read of one secret, checked (the value
 * must come out), started through runner.ts as the runner starts it. Ours signs in with a service
 * principal or GitHub OIDC; the peers are their own release bundles, found through environment
 * variables (each the action's folder, or a file inside it such as its dist/index.js), skipped when
 * not set. Every child gets one and the same environment (what each system needs to sign in, all of
 * it, for all): only the inputs differ.
 */
import { generateKeyPairSync } from 'node:crypto'
import { existsSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { runAction, type RunResult } from '../support/runner.js'
import type { StandIn } from '../support/standin/index.js'
import { AwsRegion, peerValue, VaultHost, VaultJwtRole, VaultToken, type PeerStandIns } from './peer-standins.js'

export const Tenant = '11111111-1111-1111-1111-111111111111'
export const App = '33333333-3333-3333-3333-333333333333'
export const OidcApp = '44444444-4444-4444-4444-444444444444'
export const AppSecret = 'bench~Sp.Secret_0123456789'
export const VaultName = 'bench-kv'
export const SecretValue = 'bench-value'

/** What every run shares. */
export interface BenchContext {
  readonly s: StandIn
  readonly peers: PeerStandIns
  /** The children's environment, on top of what runner.ts sets (undefined removes a variable). */
  readonly env: Readonly<Record<string, string | undefined>>
  /** The Node binary every child runs on. */
  readonly node: string
  /** Start every child with `--import route.mjs` (only where no namespace can be had). */
  readonly preload: boolean
  /** vault-action's `url`. */
  readonly vaultUrl: string
}

/** One measure of a round: runs once and records what it timed. */
export interface Task {
  readonly key: string
  run(round: number): Promise<void>
}

export interface System {
  readonly key: string
  readonly label: string
  /** The key of the system its ratio is taken against: that one's time divided by this one's. */
  readonly versus?: string
  /** How the table names that ratio (default: "<that one's label> ÷ it"). */
  readonly versusLabel?: string
  run(context: BenchContext): Promise<RunResult>
}

/** The action folder a path names: the folder itself, or the nearest folder above a file that holds action.yml. */
export function actionFolder(path: string): string | undefined {
  let dir = resolve(path)
  if (existsSync(dir) && !statSync(dir).isDirectory()) dir = dirname(dir)
  for (let up = 0; up < 4; up++, dir = dirname(dir)) if (existsSync(join(dir, 'action.yml'))) return dir
  return undefined
}

function checked(r: RunResult, label: string, value: string | undefined, expected: string): RunResult {
  if (r.exitCode === 0 && value === expected) return r
  const why = r.exitCode === 0 ? `printed ${JSON.stringify(value)}` : `exit ${String(r.exitCode)}`
  throw new Error(`${label}: ${why} (expected ${expected}); ${r.errors.join('; ')}\n${r.stderr.slice(0, 3000)}`)
}

const run = (context: BenchContext, actionYml: string | undefined, inputs: Record<string, string>) =>
  runAction({ actionYml, inputs, standin: context.s, env: context.env, node: context.node, preload: context.preload })

function ours(key: string, label: string, actionYml: string | undefined, clientSecret?: string): System {
  const signIn = { 'client-id': clientSecret ? App : OidcApp, 'tenant-id': Tenant }
  const inputs = { 'vault-name': VaultName, 'secret-name': 'db-password', ...signIn }
  return {
    key,
    label,
    ...(actionYml && { versus: key.replace(/^base-/, 'ours-'), versusLabel: 'after ÷ before' }),
    run: async (context) => {
      const r = await run(context, actionYml, clientSecret ? { ...inputs, 'client-secret': clientSecret } : inputs)
      return checked(r, label, r.outputs.value, SecretValue)
    }
  }
}

/** Ours (service principal and OIDC), and with BASE_ACTION the same from another build. */
export function ourSystems(baseYml: string | undefined): System[] {
  const systems = [
    ours('ours-sp', 'ours, service principal', undefined, AppSecret),
    ours('ours-oidc', 'ours, OIDC', undefined)
  ]
  if (baseYml)
    systems.push(
      ours('base-sp', 'before (BASE_ACTION), service principal', baseYml, AppSecret),
      ours('base-oidc', 'before (BASE_ACTION), OIDC', baseYml)
    )
  return systems
}

interface PeerSpec {
  readonly variable: string
  readonly systems: (actionYml: string) => System[]
}

function vaultAction(actionYml: string): System[] {
  const secrets = 'secret/data/db-password value | DB_PASSWORD'
  const read = (key: string, label: string, signIn: Record<string, string>, versus: string): System => ({
    key,
    label,
    versus,
    run: async (context) => {
      const r = await run(context, actionYml, { url: context.vaultUrl, ...signIn, secrets })
      return checked(r, label, r.outputs.DB_PASSWORD, peerValue('db-password'))
    }
  })
  return [
    read('vault-token', 'hashicorp/vault-action, token', { method: 'token', token: VaultToken }, 'ours-sp'),
    read('vault-jwt', 'hashicorp/vault-action, JWT (GitHub OIDC)', { method: 'jwt', role: VaultJwtRole }, 'ours-oidc')
  ]
}

/** A peer that reads the secret once, against our service principal: its inputs, and where its value comes out. */
function onePeerRead(
  key: string,
  label: string,
  inputs: Record<string, string>,
  valueOf: (r: RunResult) => string | undefined
): (actionYml: string) => System[] {
  return (actionYml) => [
    {
      key,
      label,
      versus: 'ours-sp',
      run: async (context) => {
        const r = await run(context, actionYml, inputs)
        return checked(r, label, valueOf(r), peerValue('db-password'))
      }
    }
  ]
}

const googleAction = onePeerRead(
  'gcp',
  'get-secretmanager-secrets, service account key',
  { secrets: 'out:bench-project/db-password' },
  (r) => r.outputs.out
)

const awsAction = onePeerRead(
  'aws',
  'aws-secretsmanager-get-secrets, access keys',
  { 'secret-ids': 'db-password' },
  (r) => r.env.DB_PASSWORD
)

export const Peers: readonly PeerSpec[] = [
  { variable: 'PEER_VAULT_ACTION', systems: vaultAction },
  { variable: 'PEER_GCP_SECRETMANAGER', systems: googleAction },
  { variable: 'PEER_AWS_SECRETSMANAGER', systems: awsAction }
]

/** The peers whose variable names an action folder; a line for each one skipped. */
export function peerSystems(preload: boolean): { systems: System[]; skipped: string[] } {
  const systems: System[] = []
  const skipped: string[] = []
  for (const peer of Peers) {
    const given = process.env[peer.variable]
    const folder = given ? actionFolder(given) : undefined
    if (!given) skipped.push(`${peer.variable} not set: skipped`)
    else if (!folder) skipped.push(`${peer.variable}=${given}: no action.yml there or above: skipped`)
    // Its secretmanager.googleapis.com cannot be given a port, and the preload routes only the stand-in's hosts.
    else if (preload && peer.variable === 'PEER_GCP_SECRETMANAGER')
      skipped.push(`${peer.variable}: skipped under the preload (secretmanager.googleapis.com cannot be given a port)`)
    else systems.push(...peer.systems(join(folder, 'action.yml')))
  }
  return { systems, skipped }
}

/** A service account key file for get-secretmanager-secrets (GOOGLE_APPLICATION_CREDENTIALS). */
export function writeGoogleKey(dir: string): string {
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' }
  })
  const file = join(dir, 'gcp-key.json')
  const key = {
    type: 'service_account',
    project_id: 'bench-project',
    private_key_id: 'bench',
    private_key: privateKey,
    client_email: 'bench@bench-project.iam.gserviceaccount.com',
    client_id: '1',
    token_uri: 'https://oauth2.googleapis.com/token',
    universe_domain: 'googleapis.com'
  }
  writeFileSync(file, JSON.stringify(key))
  return file
}

/** The sign-in variables of every peer, for every child (AWS: the region's endpoint by name, or a port under the preload). */
export function peerEnv(googleKey: string, preloadPort: number | undefined): Record<string, string> {
  return {
    GOOGLE_APPLICATION_CREDENTIALS: googleKey,
    AWS_ACCESS_KEY_ID: 'AKIABENCHBENCHBENCH0',
    AWS_SECRET_ACCESS_KEY: 'bench/secret/access/key/0123456789abcdefgh',
    AWS_DEFAULT_REGION: AwsRegion,
    AWS_REGION: AwsRegion,
    ...(preloadPort !== undefined && { AWS_ENDPOINT_URL_SECRETS_MANAGER: `https://localhost:${preloadPort}` })
  }
}

export const vaultUrl = (preloadPort: number | undefined): string =>
  preloadPort === undefined ? `https://${VaultHost}` : `https://localhost:${preloadPort}`
