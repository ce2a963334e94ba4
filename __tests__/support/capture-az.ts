/**
 * Records what the real Azure CLI prints, run against the stand-in, as the fixtures in
 * __tests__/fixtures/recorded/az/ (the "Azure CLI" section of their README says how to read them).
 * `npm test` does not run this: it needs root and the CLI. Run it again when the cases change.
 *
 * Needs: root (a private mount and network namespace: util-linux `unshare` and `mount`, iproute2
 * `ip`), `openssl`, and the Azure CLI as `az` on PATH (Debian 12: `apt-get install -y azure-cli`,
 * 2.45.0). Nothing leaves the machine: the namespace has nothing but its own loopback.
 *
 *   node_modules/.bin/tsx __tests__/support/capture-az.ts [--out DIR] [--raw]
 *
 * `--out` writes the fixtures elsewhere (default: __tests__/fixtures/recorded/az); `--raw` prints
 * what az printed, before placeholders, and writes nothing.
 *
 * How: the script runs itself again under `unshare --mount --net`. Inside, it brings `lo` up, adds
 * 169.254.169.254 to it, and bind-mounts a private /etc/hosts that names 127.0.0.1 for
 * login.microsoftonline.com and 127.0.0.2 for management.azure.com. The stand-in listens on
 * 127.0.0.1:443 (its IMDS on 169.254.169.254:80); a small Azure Resource Manager (the subscriptions
 * list `az login` reads) on 127.0.0.2:443 with a self-signed certificate. az (Python requests)
 * trusts both through REQUESTS_CA_BUNDLE: TLS is verified as usual. Each case gets a fresh
 * AZURE_CONFIG_DIR and HOME.
 *
 * Each fixture keeps az's exit code, stdout and stderr, with run-specific values replaced by
 * placeholders (`{tenant}`, `{app}`, `{token}`, ...; the README lists them). Where current azure-cli
 * prints something else than 2.45 (`CurrentWording` below, each with the source it was read from),
 * the fixture holds the current text, and `source.captured` says so and quotes what 2.45 printed.
 */
import { spawn, spawnSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import https from 'node:https'
import { tmpdir } from 'node:os'
import { dirname, join, relative, resolve } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import type { AzFixture } from './recorded-az.js'
import { StandIn } from './standin/index.js'

const self = fileURLToPath(import.meta.url)
const repoRoot = resolve(dirname(self), '../..')
const InsideMarker = 'CAPTURE_AZ_INSIDE_NAMESPACE'
const ArmAddress = '127.0.0.2'
const ImdsAddress = '169.254.169.254'
const VaultResource = 'https://vault.azure.net'

export interface AzResult {
  readonly exitCode: number
  readonly stdout: string
  readonly stderr: string
}

/** One recorded call, before placeholders. */
interface Capture {
  readonly fixture: string
  readonly title: string
  /** The `az login` run before, in the same session (none: no session). */
  readonly login?: readonly string[]
  readonly args: readonly string[]
  readonly result: AzResult
  /** Run-specific values and the placeholder each stands for in this fixture. */
  readonly values: Readonly<Record<string, string>>
}

/** What current azure-cli prints differently from 2.45: the fixture holds `to` instead of `from`. */
interface Rewrite {
  readonly fixtures: readonly string[]
  readonly stream: 'stdout' | 'stderr'
  readonly from: string
  readonly to: string
  /** Where current azure-cli says so: repository, file, line, commit. */
  readonly source: string
}

const TokenFixtures = [
  'sp-token',
  'sp-token-tenant',
  'tenant-level-token',
  'managed-identity-token',
  'user-assigned-identity-token'
]
const EntraErrorFixtures = ['other-tenant-token', 'expired-federated-assertion', 'expired-federated-assertion-tenant']

/**
 * Read in Azure/azure-cli with the search tool (the repository's newest versions found there; the
 * recommendation's wording is the one Microsoft's documentation shows for azure-cli 2.76 and later).
 */
const CurrentWording: readonly Rewrite[] = [
  {
    fixtures: TokenFixtures,
    stream: 'stdout',
    from: '  "expiresOn": "{expiresOn}",\n',
    to: '  "expiresOn": "{expiresOn}",\n  "expires_on": {expires_on},\n',
    source:
      "azure-cli 2.54.0 and later add the epoch seconds 'expires_on' (Azure/azure-cli src/azure-cli/azure/cli/command_modules/profile/custom.py, get_access_token, line 89 at 0222eb30f9c6560ada6917ef2192071048f94d1f: \"'expires_on': creds[2]['expires_on'],\"; 2.45 has it commented out); output keys are sorted, so it follows expiresOn."
  },
  {
    fixtures: EntraErrorFixtures,
    stream: 'stderr',
    from: 'Interactive authentication is needed. Please run:\naz login\n',
    to: 'Run the command below to authenticate interactively; additional arguments may be added as needed:\naz logout\naz login\n',
    source:
      "Current azure-cli recommends 'Run the command below to authenticate interactively; additional arguments may be added as needed:' then the login command, which starts 'az logout\\n' (Azure/azure-cli src/azure-cli-core/azure/cli/core/auth/util.py, its version with PASSWORD_CERTIFICATE_WARNING and claims_challenge: aad_error_handler lines 49-51, _generate_login_command line 89); a service principal's token failure passes no tenant or scopes to it (Azure/azure-cli src/azure-cli-core/azure/cli/core/auth/msal_credentials.py, ServicePrincipalCredential.acquire_token, 'check_result(result)', line 123 at 023249de92d8e56f96ba9180c4e75d226d5871b8), so the command is 'az logout' and 'az login' alone."
  }
]

function must(command: string, args: readonly string[]): string {
  const result = spawnSync(command, args, { encoding: 'utf8' })
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')}: ${result.error?.message ?? result.stderr}`)
  return result.stdout
}

// -- the namespace's network ----------------------------------------------------------------------

function setUpNamespace(work: string): void {
  must('ip', ['link', 'set', 'lo', 'up'])
  must('ip', ['addr', 'add', `${ImdsAddress}/32`, 'dev', 'lo'])
  const hosts = join(work, 'hosts')
  const lines = ['127.0.0.1 localhost', '127.0.0.1 login.microsoftonline.com', `${ArmAddress} management.azure.com`]
  writeFileSync(hosts, `${lines.join('\n')}\n`)
  must('mount', ['--bind', hosts, '/etc/hosts'])
}

interface Arm {
  readonly certFile: string
  /** The one subscription there is. */
  readonly subscriptionId: string
  /** Tenants whose tokens list one subscription; the others list none. */
  readonly tenantsWithSubscription: Set<string>
  stop(): void
}

/** Azure Resource Manager as far as `az login` reads it: the subscriptions of the token's tenant (at most one). */
async function startArm(work: string): Promise<Arm> {
  const subscriptionId = randomUUID()
  const keyFile = join(work, 'arm-key.pem')
  const certFile = join(work, 'arm-cert.pem')
  // prettier-ignore
  must('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=management.azure.com',
    '-addext', 'subjectAltName=DNS:management.azure.com', '-keyout', keyFile, '-out', certFile])
  const tenantsWithSubscription = new Set<string>()
  const server = https.createServer({ key: readFileSync(keyFile), cert: readFileSync(certFile) }, (req, res) => {
    const send = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' })
      res.end(JSON.stringify(body))
    }
    // Not verified: the stand-in's Entra ID minted it, and only az is on this network.
    const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1] ?? ''
    const payload = token.split('.')[1]
    const tid = payload ? (JSON.parse(Buffer.from(payload, 'base64url').toString()) as { tid?: string }).tid : undefined
    if (!tid) return send(401, { error: { code: 'AuthenticationFailed', message: 'stand-in ARM: no token' } })
    const path = new URL(req.url ?? '/', 'https://management.azure.com').pathname
    if (path !== '/subscriptions') return send(404, { error: { code: 'NotFound', message: `stand-in ARM: ${path}` } })
    const subscriptions = tenantsWithSubscription.has(tid)
      ? [
          {
            id: `/subscriptions/${subscriptionId}`,
            authorizationSource: 'RoleBased',
            managedByTenants: [],
            subscriptionId,
            tenantId: tid,
            displayName: 'Stand-in Subscription',
            state: 'Enabled',
            subscriptionPolicies: {
              locationPlacementId: 'Public_2014-09-01',
              quotaId: 'PayAsYouGo_2014-09-01',
              spendingLimit: 'Off'
            }
          }
        ]
      : []
    send(200, { value: subscriptions, count: { type: 'Total', value: subscriptions.length } })
  })
  await new Promise<void>((done) => server.listen(443, ArmAddress, done))
  return { certFile, subscriptionId, tenantsWithSubscription, stop: () => server.close() }
}

// -- running az ----------------------------------------------------------------------------------

interface Session {
  readonly env: NodeJS.ProcessEnv
}

function newSession(work: string, caBundle: string): Session {
  const dir = mkdtempSync(join(work, 'session-'))
  mkdirSync(join(dir, 'home'))
  return {
    env: {
      PATH: process.env.PATH,
      LANG: 'C.UTF-8',
      HOME: join(dir, 'home'),
      AZURE_CONFIG_DIR: join(dir, 'azure'),
      REQUESTS_CA_BUNDLE: caBundle,
      // The upload runs in a process of its own after the command; there is nowhere to send it.
      AZURE_CORE_COLLECT_TELEMETRY: 'false'
    }
  }
}

/** Runs az without blocking the event loop: the stand-in answers from this process. */
function az(session: Session, args: readonly string[]): Promise<AzResult> {
  return new Promise((done, fail) => {
    const child = spawn('az', args, { env: session.env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
    child.on('error', fail)
    child.on('close', (code) => done({ exitCode: code ?? -1, stdout, stderr }))
  })
}

/** A sign-in that must work: the cases are about what comes after it. */
async function login(session: Session, args: readonly string[]): Promise<void> {
  const result = await az(session, ['login', ...args, '--output', 'none'])
  if (result.exitCode !== 0) throw new Error(`az login ${args.join(' ')}: exit ${result.exitCode}\n${result.stderr}`)
}

const getToken = (...extra: string[]): string[] => [
  'account',
  'get-access-token',
  '--output',
  'json',
  '--resource',
  VaultResource,
  ...extra
]
const accountShow = ['account', 'show', '--output', 'json']

// -- the cases -----------------------------------------------------------------------------------

async function runCases(standIn: StandIn, arm: Arm, newAzSession: () => Session): Promise<Capture[]> {
  const captures: Capture[] = []
  const tenant = randomUUID()
  const otherTenant = randomUUID()
  arm.tenantsWithSubscription.add(tenant)
  standIn.addTenant(otherTenant)
  const values = (app?: string, extra: Record<string, string> = {}): Record<string, string> => ({
    [tenant]: '{tenant}',
    [otherTenant]: '{otherTenant}',
    [arm.subscriptionId]: '{subscription}',
    ...(app !== undefined && { [app]: '{app}' }),
    ...extra
  })

  /** A session: `az login` with `loginArgs` (none: no login), then `record` for each command. */
  const session = async (loginArgs: readonly string[] | undefined, fixtureValues: Record<string, string>) => {
    const s = newAzSession()
    if (loginArgs) await login(s, loginArgs)
    return async (fixture: string, title: string, args: readonly string[]): Promise<void> => {
      const result = await az(s, args)
      captures.push({
        fixture,
        title,
        ...(loginArgs && { login: ['login', ...loginArgs] }),
        args,
        result,
        values: fixtureValues
      })
    }
  }

  // 1. No `az login` at all.
  {
    const record = await session(undefined, values())
    await record('no-session-token', 'No az login has run: get-access-token fails, telling to run az login', getToken())
    await record(
      'no-session-token-tenant',
      'No az login has run: get-access-token --tenant fails the same way',
      getToken('--tenant', tenant)
    )
    await record('no-session-account', 'No az login has run: account show fails, telling to run az login', accountShow)
  }

  // 2. A service principal with a client secret, and 4. a token asked for another tenant, where the app is not.
  {
    const app = randomUUID()
    const secret = `capture-secret-${randomUUID()}`
    standIn.addApp({ tenantId: tenant, clientId: app, clientSecret: secret })
    const record = await session(
      ['--service-principal', '-u', app, '-p', secret, '--tenant', tenant],
      values(app, { [secret]: '{secret}' })
    )
    await record(
      'sp-token',
      'Signed in as a service principal: a vault token, with the subscription and tenant of the session',
      getToken()
    )
    await record(
      'sp-token-tenant',
      'Signed in as a service principal: a vault token for --tenant (its own tenant); the answer names no subscription',
      getToken('--tenant', tenant)
    )
    await record(
      'sp-account',
      'Signed in as a service principal: account show names the tenant and the app (user.name)',
      accountShow
    )
    await record(
      'other-tenant-token',
      'Signed in as a service principal in {tenant}: a token for --tenant {otherTenant}, where the app is not registered, is refused with AADSTS700016 (after a warning that az tries the credential it has)',
      getToken('--tenant', otherTenant)
    )
  }

  // 2b. `az login --allow-no-subscriptions` (azure/login's allow-no-subscriptions) in a tenant with no subscription.
  {
    const bareTenant = randomUUID()
    const app = randomUUID()
    const secret = `capture-secret-${randomUUID()}`
    standIn.addApp({ tenantId: bareTenant, clientId: app, clientSecret: secret })
    const loginArgs = [
      '--service-principal',
      '-u',
      app,
      '-p',
      secret,
      '--tenant',
      bareTenant,
      '--allow-no-subscriptions'
    ]
    const record = await session(loginArgs, { [bareTenant]: '{tenant}', [app]: '{app}', [secret]: '{secret}' })
    await record(
      'tenant-level-token',
      'Signed in with --allow-no-subscriptions to a tenant without subscriptions: a vault token whose subscription is the tenant id',
      getToken()
    )
    await record(
      'tenant-level-account',
      'Signed in with --allow-no-subscriptions to a tenant without subscriptions: account show, a tenant-level account',
      accountShow
    )
  }

  // 3. OIDC as azure/login does it: a GitHub ID token as --federated-token, which az keeps and sends again later.
  {
    const app = randomUUID()
    standIn.addOidcApp(tenant, app)
    const lifetime = 10
    const assertion = standIn.mintIdToken({ audience: 'api://AzureADTokenExchange', expiresInSeconds: lifetime })
    const expires = Date.now() + lifetime * 1000
    const loginArgs = ['--service-principal', '-u', app, '--tenant', tenant, '--federated-token', assertion]
    const record = await session(loginArgs, values(app, { [assertion]: '{assertion}' }))
    await record(
      'federated-account',
      'Signed in with a federated credential (OIDC): account show, as for a client secret',
      accountShow
    )
    // The sign-in cached an ARM token only: a vault token needs the kept assertion again, now expired.
    await sleep(Math.max(0, expires - Date.now()) + 2000)
    await record(
      'expired-federated-assertion',
      'Signed in with a federated credential whose assertion has expired since: get-access-token fails with AADSTS700024 and tells to sign in again',
      getToken()
    )
    await record(
      'expired-federated-assertion-tenant',
      "Signed in with a federated credential whose assertion has expired since: get-access-token --tenant (the session's own tenant) fails with the same AADSTS700024",
      getToken('--tenant', tenant)
    )
  }

  // 5. Managed identity: system-assigned (IMDS answers the first identity when asked for none), then user-assigned.
  {
    const identity = randomUUID()
    standIn.addManagedIdentity({ tenantId: tenant, clientId: identity })
    const record = await session(['--identity'], values(identity))
    await record(
      'managed-identity-tenant-refused',
      'Signed in with a managed identity: get-access-token --tenant is refused before any request',
      getToken('--tenant', tenant)
    )
    await record(
      'managed-identity-token',
      'Signed in with a managed identity: a vault token without --tenant',
      getToken()
    )
    await record(
      'managed-identity-account',
      'Signed in with a system-assigned managed identity: account show (user.name systemAssignedIdentity)',
      accountShow
    )

    const userAssigned = randomUUID()
    standIn.addManagedIdentity({ tenantId: tenant, clientId: userAssigned })
    const recordUser = await session(['--identity', '--username', userAssigned], values(userAssigned))
    await recordUser(
      'user-assigned-identity-token',
      'Signed in with a user-assigned managed identity (--username its client id): a vault token',
      getToken()
    )
    await recordUser(
      'user-assigned-identity-account',
      'Signed in with a user-assigned managed identity: account show (user.assignedIdentityInfo MSIClient-{app})',
      accountShow
    )
  }
  return captures
}

// -- fixtures ------------------------------------------------------------------------------------

const Uuid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i
const Iso7 = String.raw`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z`

/** Run-specific values to placeholders: the capture's own values first, then what varies by run. */
function placehold(text: string, values: Readonly<Record<string, string>>): string {
  let out = text
  for (const [value, placeholder] of Object.entries(values).sort(([a], [b]) => b.length - a.length)) {
    out = out.split(value).join(placeholder)
  }
  return out
    .replace(/eyJ[\w-]+\.[\w-]+\.[\w-]+/g, '{token}')
    .replace(/"expiresOn": "\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}"/g, '"expiresOn": "{expiresOn}"')
    .replace(
      new RegExp(`Current time: ${Iso7}, assertion valid from ${Iso7}, expiry time of assertion ${Iso7}`, 'g'),
      'Current time: {now}, assertion valid from {nbf}, expiry time of assertion {exp}'
    )
    .replace(
      new RegExp(
        `Trace ID: ${Uuid.source} Correlation ID: ${Uuid.source} Timestamp: \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ`,
        'g'
      ),
      'Trace ID: {trace} Correlation ID: {correlation} Timestamp: {timestamp}'
    )
}

function toFixture(capture: Capture, captured: string): AzFixture {
  const p = (text: string): string => placehold(text, capture.values)
  const printed = { stdout: p(capture.result.stdout), stderr: p(capture.result.stderr) }
  const fixed = { ...printed }
  const currents: string[] = []
  for (const rewrite of CurrentWording.filter((r) => r.fixtures.includes(capture.fixture))) {
    if (!fixed[rewrite.stream].includes(rewrite.from)) {
      throw new Error(`${capture.fixture}: az no longer prints ${JSON.stringify(rewrite.from)}; review CurrentWording`)
    }
    fixed[rewrite.stream] = fixed[rewrite.stream].split(rewrite.from).join(rewrite.to)
    currents.push(rewrite.source)
  }
  const notes = (['stdout', 'stderr'] as const)
    .filter((stream) => fixed[stream] !== printed[stream])
    .map(
      (stream) =>
        `${stream} holds current azure-cli's wording (see current); 2.45.0 printed ${JSON.stringify(printed[stream])}`
    )
  const fixture: AzFixture = {
    title: capture.title,
    source: {
      captured: [captured, ...notes].join('. '),
      ...(currents.length && { current: currents.join(' ') })
    },
    login: capture.login ? capture.login.map(p) : null,
    command: capture.args.map(p),
    exitCode: capture.result.exitCode,
    ...fixed
  }
  const leftOver = JSON.stringify(fixture).match(new RegExp(`${Uuid.source}|eyJ[\\w-]+`, 'i'))
  if (leftOver) throw new Error(`${capture.fixture}: a run-specific value is left: ${leftOver[0]}`)
  return fixture
}

// -- main ----------------------------------------------------------------------------------------

function option(args: readonly string[], name: string): string | undefined {
  const index = args.indexOf(name)
  return index >= 0 ? args[index + 1] : undefined
}

/** "Debian azure-cli 2.45.0-1 against the stand-in, <script>, <date>" */
function capturedBy(): string {
  const version = (JSON.parse(must('az', ['version', '--output', 'json'])) as Record<string, string>)['azure-cli']
  const debian = spawnSync('dpkg-query', ['-W', '-f=${Version}', 'azure-cli'], { encoding: 'utf8' })
  const build = debian.status === 0 ? `Debian azure-cli ${debian.stdout}` : `azure-cli ${version ?? '?'}`
  return `${build} against the stand-in, ${relative(repoRoot, self)}, ${new Date().toISOString().slice(0, 10)}`
}

async function inside(args: readonly string[]): Promise<number> {
  const outDir = resolve(option(args, '--out') ?? join(repoRoot, '__tests__/fixtures/recorded/az'))
  const raw = args.includes('--raw')
  const captured = capturedBy()
  const work = mkdtempSync(join(tmpdir(), 'capture-az-'))
  setUpNamespace(work)
  const arm = await startArm(work)
  const standIn = await StandIn.start({ https: { port: 443 }, imds: { address: ImdsAddress, port: 80 } })
  const caBundle = join(work, 'ca-bundle.pem')
  writeFileSync(caBundle, `${standIn.caPem}\n${readFileSync(arm.certFile, 'utf8')}`)
  try {
    const captures = await runCases(standIn, arm, () => newSession(work, caBundle))
    if (raw) {
      for (const c of captures) {
        console.log(`--- ${c.fixture}: az ${c.args.join(' ')}: exit ${c.result.exitCode}`)
        console.log(`[stdout]\n${c.result.stdout}[stderr]\n${c.result.stderr}`)
      }
      return 0
    }
    const fixtures = captures.map((c) => [c.fixture, toFixture(c, captured)] as const)
    mkdirSync(outDir, { recursive: true })
    for (const [name, fixture] of fixtures) {
      writeFileSync(join(outDir, `${name}.json`), `${JSON.stringify(fixture, null, 2)}\n`)
      console.log(`${name}: exit ${fixture.exitCode}${fixture.source.current ? ' (current wording)' : ''}`)
    }
    console.log(`${fixtures.length} fixtures in ${relative(process.cwd(), outDir) || '.'}`)
    return 0
  } finally {
    await standIn.stop()
    arm.stop()
    rmSync(work, { recursive: true, force: true })
  }
}

async function main(args: readonly string[]): Promise<number> {
  if (process.env[InsideMarker] === '1') return inside(args)
  if (process.getuid?.() !== 0) {
    console.error('capture-az.ts needs root: it runs az in a mount and network namespace of its own.')
    return 2
  }
  if (spawnSync('az', ['version'], { stdio: 'ignore' }).status !== 0) {
    console.error('capture-az.ts needs the Azure CLI as `az` (Debian: apt-get install -y azure-cli).')
    return 2
  }
  // process.execArgv carries tsx's loader, so the child runs this TypeScript file the same way.
  const command = [process.execPath, ...process.execArgv, self, ...args]
  const child = spawnSync('unshare', ['--mount', '--net', '--fork', ...command], {
    stdio: 'inherit',
    env: { ...process.env, [InsideMarker]: '1' }
  })
  return child.status ?? 1
}

if (process.argv[1] && resolve(process.argv[1]) === self) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      console.error(error instanceof Error ? (error.stack ?? error.message) : error)
      process.exitCode = 1
    }
  )
}
