/**
 * The repository's own tooling: npm leaves a developer's NODE_OPTIONS alone, and the scripts that
 * run jest give it the flag the ESM tests need themselves; dist/build-inputs.sha256 changes with
 * every file the bundle is built from; CONTRIBUTING's layout names only files that exist.
 */
import { describe, expect, test } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { inputFiles, inputsHash } from '../../.github/scripts/dist-hash.js'

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

describe('dist/build-inputs.sha256 changes with everything the bundle is built from', () => {
  const filesUnder = (dir: string): string[] =>
    readdirSync(join(repoRoot, dir), { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => relative(repoRoot, join(entry.parentPath, entry.name)).split(sep).join('/'))
  const { scripts } = JSON.parse(read('package.json')) as { scripts: Record<string, string> }
  const lock = JSON.parse(read('package-lock.json')) as {
    packages: Record<string, { link?: boolean; resolved?: string }>
  }
  // Found independently of dist-hash.ts: src/ (src/tsconfig.json included) and the root tsconfig,
  // the lockfile, every file the bundle command names but the hash script itself, and every local
  // folder the lockfile links into node_modules (.github/unbundled/*, by package.json's overrides).
  const named = (scripts.bundle ?? '')
    .split(/\s+/)
    .filter((word) => /^[\w.-]+\/[\w./-]+\.\w+$/.test(word) && existsSync(join(repoRoot, word)))
    .filter((word) => word !== '.github/scripts/dist-hash.ts')
  const linked = Object.values(lock.packages).flatMap((entry) =>
    entry.link && entry.resolved ? filesUnder(entry.resolved) : []
  )
  const inputs = [...new Set([...filesUnder('src'), 'tsconfig.json', 'package-lock.json', ...named, ...linked])].sort()

  test('the inputs found here include each kind', () => {
    expect(inputs).toEqual(
      expect.arrayContaining([
        'src/index.ts',
        'src/post.ts',
        'src/tsconfig.json',
        'tsconfig.json',
        'package-lock.json',
        '.github/scripts/finish-bundle.mjs',
        '.github/unbundled/undici/index.cjs',
        '.github/unbundled/undici/package.json',
        '.github/unbundled/jsonwebtoken/index.cjs'
      ])
    )
  })

  test('dist-hash.ts hashes every one of them', () => {
    expect(inputs.filter((file) => !inputFiles().includes(file))).toEqual([])
  })

  test('a change to any one of them, or to the bundle command, changes the hash', () => {
    const copy = mkdtempSync(join(tmpdir(), 'dist-hash-'))
    try {
      for (const file of [...inputFiles(), 'package.json']) cpSync(join(repoRoot, file), join(copy, file))
      const before = inputsHash(copy)
      expect(before).toBe(inputsHash())
      const unchanged = inputs.filter((file) => {
        const path = join(copy, file)
        const original = readFileSync(path)
        appendFileSync(path, ' ')
        const same = inputsHash(copy) === before
        writeFileSync(path, original)
        return same
      })
      expect(unchanged).toEqual([])
      const pkg = JSON.parse(readFileSync(join(copy, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
      pkg.scripts.bundle = `${pkg.scripts.bundle} --no-cache`
      writeFileSync(join(copy, 'package.json'), JSON.stringify(pkg))
      expect(inputsHash(copy)).not.toBe(before)
    } finally {
      rmSync(copy, { recursive: true, force: true })
    }
  })
})

describe('.github/CONTRIBUTING.md names only paths that exist', () => {
  const exists = (path: string): boolean => existsSync(join(repoRoot, path))
  // Fenced blocks (the example test, shell commands) are code, not the layout.
  const doc = read('.github/CONTRIBUTING.md').replace(/^```[^\n]*\n[\s\S]*?^```/gm, '')
  const inBackticks = (text: string): string[] => [...text.matchAll(/`([^`\s]+)`/g)].map((match) => match[1] ?? '')
  const FullPath = /^(src|__tests__|\.github|docs|dist)\//
  // A file or folder named on its own (`table.ts`, `get/`), not an npm package (`@actions/core`).
  const RelativePath = /^[\w.-]+(\/[\w.-]+)*(\/|\.(ts|mts|mjs|cjs|js|json|md|yml|sh|png))$/

  test('every path from the root in backticks (src/, __tests__/, .github/, docs/, dist/)', () => {
    const paths = [...new Set(inBackticks(doc).filter((path) => FullPath.test(path) && !path.includes('*')))]
    expect(paths.length).toBeGreaterThan(30)
    expect(paths.filter((path) => !exists(path))).toEqual([])
  })

  // A row names files relative to the folders it names (`src/operations/` ... `get/` ...
  // `naming.ts`), to the folder of a file it names, or to the root.
  test('every file or folder a row of the Layout tables names, where the row puts it', () => {
    const start = doc.indexOf('\n## Layout\n')
    const end = doc.indexOf('\n## ', doc.indexOf('\n## Layout, in the order a run goes') + 1)
    expect(start).toBeGreaterThan(0)
    const rows = doc
      .slice(start, end)
      .split('\n')
      .filter((line) => line.startsWith('|') && !line.startsWith('|--') && !line.startsWith('| --'))
    expect(rows.length).toBeGreaterThan(20)
    const missing = rows.flatMap((row) => {
      const names = inBackticks(row)
      const full = names.filter((name) => FullPath.test(name))
      const bases = new Set(['', ...full.map((name) => (name.endsWith('/') ? name : `${dirname(name)}/`))])
      for (const folder of names.filter((name) => !FullPath.test(name) && /^[\w.-]+\/$/.test(name)))
        for (const base of [...bases]) if (exists(base + folder)) bases.add(base + folder)
      return names
        .filter((name) => !FullPath.test(name) && RelativePath.test(name))
        .filter((name) => ![...bases].some((base) => exists(base + name)))
        .map((name) => `${name} in: ${row.slice(0, 60)}`)
    })
    expect(missing).toEqual([])
  })
})
