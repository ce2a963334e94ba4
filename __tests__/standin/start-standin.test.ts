/**
 * The stand-in start script of the CI smoke job (__tests__/support/start-standin.ts), run here the
 * way .github/workflows/ci.yml runs it: `start` leaves the stand-in running in its own process and
 * writes step outputs; the action then runs bare (`node dist/index.js`, no harness preload), routed
 * only by the NODE_OPTIONS, STANDIN_ROUTE and NODE_EXTRA_CA_CERTS those outputs give, as the smoke
 * job's step `env:` passes them; a later step sees the secret; the post step removes the file;
 * `stop` ends the server.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseFileCommands } from '../support/file-commands.js'
import { assertNoLeak, repoRoot, runAction, runPost } from '../support/runner.js'

const tsx = join(repoRoot, 'node_modules/tsx/dist/cli.mjs')
const script = join(repoRoot, '__tests__/support/start-standin.ts')

let dir: string
let outputs: Record<string, string>

function runScript(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [tsx, script, ...args], { encoding: 'utf8', timeout: 90_000 })
  return { status: result.status, stdout: result.stdout, stderr: result.stderr }
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'start-standin-'))
  const started = runScript(
    'start',
    '--dir',
    join(dir, 'standin'),
    '--github-output',
    join(dir, 'output'),
    '--lifetime',
    '120'
  )
  expect({ status: started.status, stderr: started.stderr }).toEqual({ status: 0, stderr: '' })
  const parsed = parseFileCommands(readFileSync(join(dir, 'output'), 'utf8'))
  expect(parsed.error).toBeUndefined()
  outputs = parsed.values
}, 120_000)

afterAll(() => {
  runScript('stop', '--dir', join(dir, 'standin'))
  rmSync(dir, { recursive: true, force: true })
})

describe('start-standin.ts, as the CI smoke job uses it', () => {
  test('start prints where the stand-in is, without the credentials', () => {
    expect(Number(outputs.port)).toBeGreaterThan(0)
    expect(outputs['node-options']).toMatch(/^--import=file:\/\/.*\/route\.mjs$/)
    expect(existsSync(outputs['ca-file'] ?? '')).toBe(true)
    expect(JSON.parse(outputs['standin-route'] ?? '{}')).toMatchObject({ address: '127.0.0.1', denyUnrouted: true })
    const log = readFileSync(join(dir, 'standin', 'standin.log'), 'utf8')
    expect(log).toContain(`listening on 127.0.0.1:${outputs.port}`)
  })

  test('the action, routed from outside only, reads and exports the secret; the post step removes its file', async () => {
    const env = {
      NODE_OPTIONS: outputs['node-options'],
      STANDIN_ROUTE: outputs['standin-route'],
      NODE_EXTRA_CA_CERTS: outputs['ca-file']
    }
    const r = await runAction({
      preload: false,
      env,
      keepWorkDir: true,
      inputs: {
        'vault-name': outputs['vault-name'] ?? '',
        secrets: `DB_PASSWORD=${outputs['secret-name']}`,
        'export-env': 'true',
        files: `smoke/db-password.txt=${outputs['secret-name']}`,
        'client-id': outputs['client-id'] ?? '',
        'tenant-id': outputs['tenant-id'] ?? '',
        'client-secret': outputs['client-secret'] ?? ''
      }
    })
    try {
      expect({ conclusion: r.conclusion, errors: r.errors }).toEqual({ conclusion: 'success', errors: [] })
      const value = outputs['secret-value'] ?? ''
      // What the next step receives: the output, the environment variable and the file.
      expect(r.outputs.DB_PASSWORD).toBe(value)
      expect(r.env.DB_PASSWORD).toBe(value)
      const file = join(r.workDir, 'smoke', 'db-password.txt')
      expect(readFileSync(file, 'utf8')).toBe(value)
      assertNoLeak(r, [value, outputs['client-secret'] ?? ''], { perLine: true })

      // The smoke job's .github/actions/check-removed: its post step fails while the file is there...
      const checkRemoved = { actionYml: '.github/actions/check-removed/action.yml', inputs: { paths: file } }
      const early = await runPost({}, checkRemoved)
      expect({ conclusion: early.conclusion, errors: early.errors }).toEqual({
        conclusion: 'failure',
        errors: [`Not removed by the post step: ${file}`]
      })

      const post = await runPost(r.state, { preload: false, env })
      expect(post.conclusion).toBe('success')
      expect(existsSync(file)).toBe(false)
      // ... and passes once the action's post step has removed it.
      expect((await runPost({}, checkRemoved)).conclusion).toBe('success')
    } finally {
      rmSync(join(r.workDir, '..'), { recursive: true, force: true })
    }
  }, 60_000)

  test('stop ends the server', () => {
    const stopped = runScript('stop', '--dir', join(dir, 'standin'))
    expect(stopped.status).toBe(0)
    expect(stopped.stdout).toMatch(/stopped/)
    expect(readFileSync(join(dir, 'standin', 'standin.log'), 'utf8')).toMatch(
      /stand-in stopping: SIGTERM; it answered \d+ request/
    )
  })
})
