/**
 * The repository's own tooling: npm leaves a developer's NODE_OPTIONS alone, and the scripts that
 * run jest give it the flag the ESM tests need themselves.
 */
import { describe, expect, test } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const repoRoot = fileURLToPath(new URL('../../', import.meta.url))
const read = (path: string): string => readFileSync(join(repoRoot, path), 'utf8')

describe("npm commands keep the developer's NODE_OPTIONS", () => {
  test('no .npmrc of the repository sets node-options (npm would put it in place of NODE_OPTIONS)', () => {
    const npmrc = existsSync(join(repoRoot, '.npmrc')) ? read('.npmrc') : ''
    expect(npmrc.split(/\r?\n/).filter((line) => /^\s*node[-_]options\s*=/i.test(line))).toEqual([])
  })

  test('every script that runs jest gives it --experimental-vm-modules itself', () => {
    const { scripts } = JSON.parse(read('package.json')) as { scripts: Record<string, string> }
    const jestScripts = Object.entries(scripts).filter(([, command]) => command.includes('jest'))
    expect(jestScripts.map(([name]) => name)).toEqual(expect.arrayContaining(['test', 'test:unit', 'test:e2e', 'jest']))
    for (const [, command] of jestScripts)
      expect(command).toMatch(/^node --experimental-vm-modules node_modules\/jest\/bin\/jest\.js\b/)
  })

  // npm itself, as a developer runs it: npm_execpath when the tests run under npm (CI), else `npm`
  // on PATH. Empty user and global npmrc files, so only the repository's configuration counts.
  test('NODE_OPTIONS=--max-old-space-size=4096 reaches a command npm runs unchanged', () => {
    const dir = mkdtempSync(join(tmpdir(), 'npm-node-options-'))
    try {
      const user = join(dir, 'user-npmrc')
      const global = join(dir, 'global-npmrc')
      const probe = join(dir, 'probe.cjs')
      writeFileSync(user, '')
      writeFileSync(global, '')
      writeFileSync(probe, "process.stdout.write(`NODE_OPTIONS=${process.env.NODE_OPTIONS ?? ''}`)\n")
      const args = ['exec', '--userconfig', user, '--globalconfig', global, '--', 'node', probe]
      const npmCli = process.env.npm_execpath
      const env = { ...process.env, NODE_OPTIONS: '--max-old-space-size=4096' }
      const options = { cwd: repoRoot, env, encoding: 'utf8', timeout: 60_000 } as const
      const result = npmCli?.endsWith('.js')
        ? spawnSync(process.execPath, [npmCli, ...args], options)
        : spawnSync(['npm', ...args].map((arg) => `"${arg}"`).join(' '), { ...options, shell: true })
      expect({
        status: result.status,
        stdout: result.stdout,
        stderr: result.status === 0 ? '' : result.stderr
      }).toEqual({
        status: 0,
        stdout: 'NODE_OPTIONS=--max-old-space-size=4096',
        stderr: ''
      })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
