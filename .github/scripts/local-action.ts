/**
 * `npm run local-action [-- --standin DIR]`: the action's main step (src/main.ts) and post step
 * (local-action-post.ts, which runs src/post.ts) from source with @github/local-action, inputs and
 * variables from `.env` (see `.env.example`), as `npx @github/local-action . src/main.ts .env` does.
 *
 * With --standin DIR, against the stand-in `tsx __tests__/support/start-standin.ts start --dir DIR`
 * started: the action's process gets what DIR/standin.json says it needs (NODE_OPTIONS, which
 * preloads the routing, STANDIN_ROUTE, NODE_EXTRA_CA_CERTS; Node reads them only when it starts, so
 * they cannot come from `.env`) and the stand-in app's client secret as AZURE_CLIENT_SECRET (which
 * `client-secret` falls back to; a line of `.env` would win over it). The routing fails every host the stand-in does not play, npm's
 * registry too, so @github/local-action is fetched into npm's cache first, without it (no request
 * when it is there already), then run from that cache alone.
 *
 * @github/local-action is not a devDependency: as one it brings 360 packages, three more copies of
 * @actions/core (package.json's overrides of undici give each a broken link) and moves the
 * bundled @azure/core-rest-pipeline to a newer version.
 */
import { spawnSync, type SpawnSyncOptions } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..')
const LocalAction = '@github/local-action@7.0.1'

/** npm itself: the one that runs this script (`npm run`), else `npm` on PATH. */
function npm(args: readonly string[], env: NodeJS.ProcessEnv): number {
  const options: SpawnSyncOptions = { cwd: root, env, stdio: 'inherit' }
  const cli = process.env.npm_execpath
  const result = cli?.endsWith('.js')
    ? spawnSync(process.execPath, [cli, ...args], options)
    : spawnSync(['npm', ...args].map((arg) => `"${arg}"`).join(' '), { ...options, shell: true })
  if (result.error) throw result.error
  return result.status ?? 1
}

function standInEnv(dir: string): NodeJS.ProcessEnv {
  const info = JSON.parse(readFileSync(join(dir, 'standin.json'), 'utf8')) as Record<string, string>
  const own = process.env.NODE_OPTIONS
  return {
    NODE_OPTIONS: own ? `${own} ${info['node-options']}` : info['node-options'],
    STANDIN_ROUTE: info['standin-route'],
    NODE_EXTRA_CA_CERTS: info['ca-file'],
    // As the fallback variable: a name with a dash (INPUT_CLIENT-SECRET) does not survive the shells
    // npm and local-action start the action through.
    AZURE_CLIENT_SECRET: info['client-secret']
  }
}

const args = process.argv.slice(2)
const at = args.indexOf('--standin')
const dir = at >= 0 ? args[at + 1] : undefined
if (at >= 0 && !dir) {
  console.error('usage: npm run local-action [-- --standin DIR]')
  process.exit(2)
}

let status = npm(
  ['exec', '--yes', '--prefer-offline', `--package=${LocalAction}`, '--', 'node', '-e', '0'],
  process.env
)
if (status === 0) {
  const env = { ...process.env, ...(dir ? standInEnv(resolve(dir)) : {}) }
  status = npm(
    [
      'exec',
      '--yes',
      '--offline',
      '--',
      LocalAction,
      '.',
      'src/main.ts',
      '.env',
      '--post',
      '.github/scripts/local-action-post.ts'
    ],
    env
  )
}
process.exitCode = status
