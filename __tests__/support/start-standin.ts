/**
 * Starts the stand-in (Key Vault, Entra ID, GitHub) in a process of its own and leaves it running,
 * for a workflow on a real runner: the CI smoke job (.github/workflows/ci.yml) starts it, then runs
 * the action with `uses: ./`. Exercised here by __tests__/standin/start-standin.test.ts.
 *
 *   tsx __tests__/support/start-standin.ts start --dir DIR [--github-output FILE] [--lifetime SECONDS]
 *   tsx __tests__/support/start-standin.ts stop --dir DIR
 *
 * `start` spawns the server detached (its output goes to DIR/standin.log, so it holds none of the
 * step's pipes), waits until it has written DIR/standin.json, prints that and, with
 * --github-output, appends each field to that file as a step output. The server seeds one vault,
 * one app with a client secret and one secret, and stops by itself after --lifetime seconds
 * (default 900), so it never outlives a job for long.
 *
 * What a step needs to send the action to it, the way the tests do (__tests__/support/runner.ts),
 * with nothing in the action itself:
 *   NODE_OPTIONS         --import=<file URL of route.mjs>: the preload that routes the public host
 *                        names (login.microsoftonline.com, contoso-kv.vault.azure.net, ...) to the
 *                        stand-in's port and fails every other name's DNS
 *   STANDIN_ROUTE        what route.mjs routes (StandIn.routeConfig())
 *   NODE_EXTRA_CA_CERTS  the stand-in's CA, so Node trusts its certificate for those names
 */
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, openSync, readFileSync, renameSync, appendFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { StandIn } from './standin/index.js'

export const TenantId = '11111111-1111-1111-1111-111111111111'
export const ClientId = '22222222-2222-2222-2222-222222222222'
export const VaultName = 'contoso-kv'
export const SecretName = 'db-password'

/** What `start` prints and writes to DIR/standin.json; with --github-output, each field is an output. */
export interface StandInInfo {
  readonly pid: number
  readonly port: number
  readonly 'node-options': string
  readonly 'standin-route': string
  readonly 'ca-file': string
  readonly 'vault-name': string
  readonly 'tenant-id': string
  readonly 'client-id': string
  readonly 'client-secret': string
  readonly 'secret-name': string
  readonly 'secret-value': string
}

const routeModule = fileURLToPath(new URL('./route.mjs', import.meta.url))
const infoFile = (dir: string): string => join(dir, 'standin.json')

function option(args: readonly string[], name: string): string | undefined {
  const index = args.indexOf(name)
  return index >= 0 ? args[index + 1] : undefined
}

async function serve(dir: string, lifetimeSeconds: number): Promise<void> {
  const standIn = await StandIn.start()
  const clientSecret = `standin-client-secret-${process.pid}`
  // A value with a character that needs care in a shell and a second line, as real ones have.
  const secretValue = `p@ss w0rd-${process.pid}\nsecond line`
  standIn.addVault({ name: VaultName, tenantId: TenantId, grants: { [ClientId]: ['get', 'list'] } })
  standIn.vault(VaultName).setSecret(SecretName, secretValue)
  standIn.addApp({ tenantId: TenantId, clientId: ClientId, clientSecret })
  const info: StandInInfo = {
    pid: process.pid,
    port: standIn.port,
    'node-options': `--import=${pathToFileURL(routeModule).href}`,
    'standin-route': JSON.stringify(standIn.routeConfig()),
    'ca-file': standIn.caFile,
    'vault-name': VaultName,
    'tenant-id': TenantId,
    'client-id': ClientId,
    'client-secret': clientSecret,
    'secret-name': SecretName,
    'secret-value': secretValue
  }
  // Written whole, then renamed, so `start` never reads half a file.
  writeFileSync(`${infoFile(dir)}.tmp`, `${JSON.stringify(info, null, 2)}\n`)
  renameSync(`${infoFile(dir)}.tmp`, infoFile(dir))
  console.log(`stand-in listening on 127.0.0.1:${standIn.port}, pid ${process.pid}, stopping in ${lifetimeSeconds} s`)
  const stop = async (why: string): Promise<void> => {
    console.log(`stand-in stopping: ${why}; it answered ${standIn.requests.length} request(s)`)
    for (const r of standIn.requests) console.log(`  ${r.service} ${r.method} ${r.status} ${r.host}${r.path}`)
    await standIn.stop()
    process.exit(0)
  }
  process.on('SIGTERM', () => void stop('SIGTERM'))
  process.on('SIGINT', () => void stop('SIGINT'))
  setTimeout(() => void stop(`lifetime of ${lifetimeSeconds} s reached`), lifetimeSeconds * 1000).unref()
  // Keep the event loop alive while the servers listen (they do already; this is the lifetime).
  await sleep(lifetimeSeconds * 1000 + 5000)
}

/** One `name<<DELIMITER` block per field, as the runner reads GITHUB_OUTPUT. */
export function githubOutputLines(info: StandInInfo): string {
  return Object.entries(info)
    .map(([name, value]) => {
      const delimiter = `standin_${Math.random().toString(36).slice(2)}`
      return `${name}<<${delimiter}\n${String(value)}\n${delimiter}\n`
    })
    .join('')
}

async function start(dir: string, args: readonly string[]): Promise<number> {
  mkdirSync(dir, { recursive: true })
  const lifetime = option(args, '--lifetime') ?? '900'
  const log = openSync(join(dir, 'standin.log'), 'a')
  const self = fileURLToPath(import.meta.url)
  // process.execArgv carries tsx's loader, so the child runs this TypeScript file the same way.
  const child = spawn(process.execPath, [...process.execArgv, self, 'serve', '--dir', dir, '--lifetime', lifetime], {
    detached: true,
    stdio: ['ignore', log, log],
    windowsHide: true
  })
  let exited: number | null | undefined
  child.on('exit', (code) => (exited = code))
  child.unref()
  const deadline = Date.now() + 60_000
  while (!existsSync(infoFile(dir))) {
    if (exited !== undefined || Date.now() > deadline) {
      const why = exited !== undefined ? `exited with ${String(exited)}` : 'did not start within 60 s'
      console.error(`The stand-in ${why}. Its log (${join(dir, 'standin.log')}):`)
      console.error(readFileSync(join(dir, 'standin.log'), 'utf8'))
      return 1
    }
    await sleep(100)
  }
  const info = JSON.parse(readFileSync(infoFile(dir), 'utf8')) as StandInInfo
  const githubOutput = option(args, '--github-output')
  if (githubOutput) appendFileSync(githubOutput, githubOutputLines(info))
  console.log(
    JSON.stringify({ ...info, 'client-secret': '(in standin.json)', 'secret-value': '(in standin.json)' }, null, 2)
  )
  return 0
}

/**
 * Whether the process still runs. One that has exited but is not reaped yet (a zombie: `start`
 * left it to init, which in a container may reap it only a second or more later) has stopped, though
 * signal 0 still finds it; /proc tells them apart where there is one (Linux).
 */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  try {
    // /proc/<pid>/stat: "pid (name) state ...", the name in parentheses may hold spaces.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
  } catch {
    return true
  }
}

async function stopServer(dir: string): Promise<number> {
  if (!existsSync(infoFile(dir))) {
    console.error(`No ${infoFile(dir)}: nothing to stop.`)
    return 1
  }
  const { pid } = JSON.parse(readFileSync(infoFile(dir), 'utf8')) as StandInInfo
  try {
    process.kill(pid, 'SIGTERM')
  } catch {
    console.log(`The stand-in (pid ${pid}) had stopped already.`)
    return 0
  }
  const deadline = Date.now() + 10_000
  while (Date.now() < deadline) {
    if (!running(pid)) {
      console.log(`The stand-in (pid ${pid}) stopped.`)
      return 0
    }
    await sleep(100)
  }
  console.error(`The stand-in (pid ${pid}) is still running 10 s after SIGTERM.`)
  return 1
}

async function main(args: readonly string[]): Promise<number> {
  const [command] = args
  const dirArg = option(args, '--dir')
  if (!dirArg || !['start', 'serve', 'stop'].includes(command ?? '')) {
    console.error('usage: start-standin.ts start|stop --dir DIR [--github-output FILE] [--lifetime SECONDS]')
    return 2
  }
  const dir = resolve(dirArg)
  if (command === 'serve') {
    await serve(dir, Number(option(args, '--lifetime') ?? '900'))
    return 0
  }
  return command === 'start' ? start(dir, args) : stopServer(dir)
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      console.error(error instanceof Error ? (error.stack ?? error.message) : error)
      process.exitCode = 1
    }
  )
}
