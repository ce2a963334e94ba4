/**
 * `files` against what an earlier step of the job (or another user of a self-hosted runner) can
 * leave behind: links and files planted at a target or above it, relative paths that climb out of
 * RUNNER_TEMP, two entries for one file, and a written file swapped before the post step. The
 * committed dist/index.js runs as the runner runs it; a refusal makes no request at all, and the
 * post step removes only the files the main step created.
 */
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals'
import {
  chmodSync,
  existsSync,
  lchownSync,
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { assertNoLeak, runPost, type RunOptions, type RunResult } from '../support/runner.js'
import { useStandIn } from '../support/world.js'

jest.setTimeout(60_000)

const TENANT = '11111111-1111-1111-1111-111111111111'
const APP = '22222222-2222-2222-2222-222222222222'
const VAULT = 'contoso-kv'
const KEY = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n'
const OTHER = 'another-secret-value-42'
const OUTSIDE = "the content of a file that is not the action's\n"

const { s, step } = useStandIn({
  vault: { name: VAULT, tenantId: TENANT, clientId: APP, grants: ['get'], secrets: { 'tls-key': KEY, other: OTHER } }
})
/** A folder outside RUNNER_TEMP holding the "victim" file an attacker points links at. */
let outside: string
let victim: string

beforeEach(() => {
  outside = mkdtempSync(join(tmpdir(), 'kv-outside-'))
  victim = join(outside, 'victim.txt')
  writeFileSync(victim, OUTSIDE)
  chmodSync(victim, 0o644)
})
afterEach(() => {
  rmSync(outside, { recursive: true, force: true })
})

const run = (files: string, options?: Omit<RunOptions, 'inputs' | 'standin'>): Promise<RunResult> =>
  step({ files }, options)

/** One error naming the input, exit 1, no request, nothing exported, no state for the post step. */
function expectRefused(r: RunResult, says: string): void {
  expect({
    exitCode: r.exitCode,
    errors: r.errors.length,
    requests: s.requests.length,
    outputs: r.outputs,
    env: r.env
  }).toEqual({
    exitCode: 1,
    errors: 1,
    requests: 0,
    outputs: {},
    env: {}
  })
  expect(r.errors[0]).toMatch(/^Input 'files': /)
  expect(r.errors[0]).toContain(says)
  expect(r.state).toEqual({ 'written-files': '[]' })
}

function expectVictimIntact(): void {
  expect(readFileSync(victim, 'utf8')).toBe(OUTSIDE)
  expect(statSync(victim).mode & 0o777).toBe(0o644)
}

/**
 * A link as a step of an ordinary job leaves it: owned by the runner's user. When the tests run as
 * root, the planted link is handed to nobody (65534) to be one. (Inside RUNNER_TEMP a link is
 * refused whoever owns it: root's, as in a container job, in temp-links.test.ts.)
 */
function plantedByAStep(link: string): void {
  if (process.getuid?.() === 0) lchownSync(link, 65534, 65534)
}

function expectSuccess(r: RunResult): void {
  expect({ exitCode: r.exitCode, errors: r.errors }).toEqual({ exitCode: 0, errors: [] })
}

describe('files: refused before any request', () => {
  it('a symbolic link planted at the target (pointing at a file outside): refused, the file it points at unchanged', async () => {
    const r = await run('tls.key=tls-key', { prepare: ({ temp }) => symlinkSync(victim, join(temp, 'tls.key')) })
    expectRefused(r, 'already exists (a symbolic link)')
    expect(r.errors[0]).toContain('remove it in an earlier step or choose another path')
    expectVictimIntact()
  })

  it('a hard link planted at the target: refused, the other name keeps its content and mode', async () => {
    const r = await run('tls.key=tls-key', { prepare: ({ temp }) => linkSync(victim, join(temp, 'tls.key')) })
    expectRefused(r, 'already exists (a file with more than one name: a hard link)')
    expectVictimIntact()
  })

  it('a file already at an absolute target: refused and left intact, also by the post step', async () => {
    const r = await run(`${victim}=tls-key`)
    expectRefused(r, `would write '${victim}', which already exists (a file)`)
    const post = await runPost(r.state, { standin: s })
    expect({ exitCode: post.exitCode, errors: post.errors, warnings: post.warnings }).toEqual({
      exitCode: 0,
      errors: [],
      warnings: []
    })
    expectVictimIntact()
  })

  it('a folder at the target: refused', async () => {
    const r = await run('certs=tls-key', { prepare: ({ temp }) => mkdirSync(join(temp, 'certs')) })
    expectRefused(r, 'already exists (a folder)')
  })

  it("a relative path that climbs out of RUNNER_TEMP ('../../escape.pem'): refused, nothing written there", async () => {
    let escaped = ''
    let existedBefore = true
    const r = await run('../../escape.pem=tls-key', {
      prepare: ({ temp }) => {
        escaped = resolve(temp, '../../escape.pem')
        existedBefore = existsSync(escaped)
      }
    })
    try {
      expectRefused(r, 'has a relative path that leads outside RUNNER_TEMP')
      expect(r.errors[0]).toContain(
        "Accepted: a relative path that stays under RUNNER_TEMP ('..' may not climb out of it), or an absolute path."
      )
      if (!existedBefore) expect(existsSync(escaped)).toBe(false)
    } finally {
      // Only what this test's run (on a version without the check) may have written.
      if (!existedBefore) rmSync(escaped, { force: true })
    }
  })

  it('two entries for one file: refused, naming both', async () => {
    const r = await run('certs/tls.key=tls-key\n./certs/../certs/tls.key=other')
    expectRefused(r, "the entries 'certs/tls.key=tls-key' and './certs/../certs/tls.key=other' both write")
  })

  it('a symbolic link planted as a parent folder under RUNNER_TEMP: refused, naming the link; nothing lands where it points', async () => {
    let link = ''
    const r = await run('certs/tls.key=tls-key', {
      prepare: ({ temp }) => {
        link = join(temp, 'certs')
        symlinkSync(outside, link)
        plantedByAStep(link)
      }
    })
    expectRefused(r, `through the symbolic link '${link}'`)
    expect(readdirSync(outside)).toEqual(['victim.txt'])
  })
})

describe('files: written new, removed only if still ours', () => {
  it("writes 0600 files in new 0700 folders ('..' that stays inside is fine), and the post step removes them", async () => {
    const r = await run('deploy/ssh/../ssh/id_key=tls-key\ndeploy/other.txt=other', { keepWorkDir: true })
    try {
      expectSuccess(r)
      const key = join(r.workDir, 'deploy', 'ssh', 'id_key')
      const other = join(r.workDir, 'deploy', 'other.txt')
      expect(JSON.parse(r.outputs.files ?? '{}')).toEqual({
        'deploy/ssh/../ssh/id_key=tls-key': key,
        'deploy/other.txt=other': other
      })
      expect(readFileSync(key, 'utf8')).toBe(KEY)
      expect(readFileSync(other, 'utf8')).toBe(OTHER)
      for (const file of [key, other]) expect(statSync(file).mode & 0o777).toBe(0o600)
      for (const folder of [join(r.workDir, 'deploy'), join(r.workDir, 'deploy', 'ssh')]) {
        expect(lstatSync(folder).isDirectory()).toBe(true)
        expect(statSync(folder).mode & 0o777).toBe(0o700)
      }
      assertNoLeak(r, [KEY, OTHER], { perLine: true })

      const post = await runPost(r.state, { standin: s })
      expect({ exitCode: post.exitCode, errors: post.errors, warnings: post.warnings }).toEqual({
        exitCode: 0,
        errors: [],
        warnings: []
      })
      expect(post.log).toContain('Removed 2 secret file(s).')
      expect([existsSync(key), existsSync(other)]).toEqual([false, false])
    } finally {
      rmSync(r.workDir, { recursive: true, force: true })
    }
  })

  it('a written file replaced by a symbolic link before the post step: left with a warning, and the file it points at kept', async () => {
    const r = await run('tls.key=tls-key', { keepWorkDir: true })
    try {
      expectSuccess(r)
      const key = join(r.workDir, 'tls.key')
      rmSync(key)
      symlinkSync(victim, key)

      const post = await runPost(r.state, { standin: s })
      expect({ exitCode: post.exitCode, errors: post.errors }).toEqual({ exitCode: 0, errors: [] })
      expect(post.warnings).toEqual([
        `Did not remove '${key}': it is now a symbolic link, not the file the step wrote, so it is left as it is.`
      ])
      expect(lstatSync(key).isSymbolicLink()).toBe(true)
      expectVictimIntact()
    } finally {
      rmSync(r.workDir, { recursive: true, force: true })
    }
  })

  it('a written file replaced by another file before the post step: left with a warning; the others are still removed', async () => {
    const r = await run('tls.key=tls-key\nother.txt=other', { keepWorkDir: true })
    try {
      expectSuccess(r)
      const key = join(r.workDir, 'tls.key')
      const other = join(r.workDir, 'other.txt')
      // Written beside it first, so the new file cannot get the freed inode of the old one.
      writeFileSync(`${key}.new`, OUTSIDE)
      renameSync(`${key}.new`, key)

      const post = await runPost(r.state, { standin: s })
      expect({ exitCode: post.exitCode, errors: post.errors }).toEqual({ exitCode: 0, errors: [] })
      expect(post.warnings).toEqual([
        `Did not remove '${key}': it was replaced by another file after the step wrote it, so it is left as it is.`
      ])
      expect(readFileSync(key, 'utf8')).toBe(OUTSIDE)
      expect(existsSync(other)).toBe(false)
      expect(post.log).toContain('Removed 1 secret file(s).')
    } finally {
      rmSync(r.workDir, { recursive: true, force: true })
    }
  })

  it('a written file already gone at the post step: a warning, exit 0', async () => {
    const r = await run('tls.key=tls-key', { keepWorkDir: true })
    try {
      expectSuccess(r)
      const key = join(r.workDir, 'tls.key')
      rmSync(key)
      const post = await runPost(r.state, { standin: s })
      expect({ exitCode: post.exitCode, errors: post.errors }).toEqual({ exitCode: 0, errors: [] })
      expect(post.warnings).toEqual([
        `Did not remove '${key}': it is gone (something removed it after the step wrote it).`
      ])
    } finally {
      rmSync(r.workDir, { recursive: true, force: true })
    }
  })

  it('a state that is not a list of {path, dev, ino} (a bare path): nothing removed, one warning, exit 0', async () => {
    const post = await runPost({ 'written-files': JSON.stringify([victim]) }, { standin: s })
    expect({ exitCode: post.exitCode, errors: post.errors }).toEqual({ exitCode: 0, errors: [] })
    expect(post.warnings).toHaveLength(1)
    expect(post.warnings[0]).toContain("Ignored 1 unreadable record(s) in the state 'written-files'")
    expectVictimIntact()
  })
})
