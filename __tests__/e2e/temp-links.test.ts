/**
 * End-to-end: links in RUNNER_TEMP owned by root. In a `container:` job the earlier steps run as
 * root, so a link one of them plants in RUNNER_TEMP is root's like the system's own: ownership
 * tells nothing there, and no link inside RUNNER_TEMP is followed, whoever owns it. (These tests
 * run as root, so every link they make is root's.) RUNNER_TEMP itself may be a link, on a
 * self-hosted runner: it is resolved once, and its real folder is where the files go.
 */
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals'
import {
  existsSync,
  lchownSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runPost, type RunResult } from '../support/runner.js'
import { expectSuccess } from '../support/steps.js'
import { useStandIn } from '../support/world.js'

jest.setTimeout(60_000)

const TENANT = '7a6b5c4d-3e2f-4a1b-8c9d-0e1f2a3b4c5d'
const APP = '1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b'
const VAULT = 'links-kv'
const KEY = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n'
const OUTSIDE = "the content of a file that is not the action's\n"

const { s, step: run } = useStandIn({
  vault: { name: VAULT, tenantId: TENANT, clientId: APP, grants: ['get'], secrets: { 'tls-key': KEY } }
})
/** A folder outside RUNNER_TEMP, where a planted link points; it holds one file that is not ours. */
let outside: string
let victim: string

beforeEach(() => {
  outside = mkdtempSync(join(tmpdir(), 'kv-links-outside-'))
  victim = join(outside, 'victim.txt')
  writeFileSync(victim, OUTSIDE)
})
afterEach(() => {
  rmSync(outside, { recursive: true, force: true })
})

/** A link as a root step of a container job leaves it: owned by root, as the system's are. */
function plantAsRoot(target: string, link: string): string {
  symlinkSync(target, link)
  expect(lstatSync(link).uid).toBe(process.getuid?.())
  return link
}

/** Exit 1, one error naming all of `says`, no request at all, nothing exported, nothing for the post step, nothing written where the link points. */
function expectRefused(r: RunResult, ...says: string[]): void {
  expect({ exitCode: r.exitCode, errors: r.errors.length, requests: s.requests.length, outputs: r.outputs }).toEqual({
    exitCode: 1,
    errors: 1,
    requests: 0,
    outputs: {}
  })
  for (const phrase of says) expect(r.errors[0]).toContain(phrase)
  expect(r.errors[0]).toContain('under RUNNER_TEMP no link is followed, whoever owns it')
  expect(r.state).toEqual({ 'written-files': '[]' })
  expect(readdirSync(outside)).toEqual(['victim.txt'])
  expect(readFileSync(victim, 'utf8')).toBe(OUTSIDE)
}

const onlyRoot = process.getuid?.() === 0 ? describe : describe.skip

onlyRoot('a link in RUNNER_TEMP owned by root is not followed', () => {
  it('files: a folder link (RUNNER_TEMP/certs -> a folder outside) is refused before any request, naming input, entry, path and link', async () => {
    let link = ''
    const r = await run(
      { files: 'certs/tls.key=tls-key' },
      { prepare: ({ temp }) => (link = plantAsRoot(outside, join(temp, 'certs'))) }
    )
    expectRefused(
      r,
      `Input 'files': the entry 'certs/tls.key=tls-key' would write '${join(link, 'tls.key')}' through the symbolic link '${link}'.`
    )
  })

  it('env-file: a folder link on the way is refused, the path relative or spelled with RUNNER_TEMP (absolute)', async () => {
    // A RUNNER_TEMP of the test's own, so the absolute path can be given as an input.
    const temp = realpathSync(mkdtempSync(join(tmpdir(), 'kv-links-temp-')))
    try {
      const link = plantAsRoot(outside, join(temp, 'conf'))
      for (const path of ['conf/app.env', join(temp, 'conf', 'app.env')]) {
        s.requests.length = 0
        const r = await run({ 'secret-name': 'tls-key', 'env-file': path }, { env: { RUNNER_TEMP: temp } })
        expectRefused(r, `Input 'env-file' would write '${join(link, 'app.env')}' through the symbolic link '${link}'.`)
      }
    } finally {
      rmSync(temp, { recursive: true, force: true })
    }
  })

  it('files: a file link at the target (RUNNER_TEMP/tls.key -> a file outside) is refused; the file it points at unchanged', async () => {
    const r = await run(
      { files: 'tls.key=tls-key' },
      { prepare: ({ temp }) => plantAsRoot(victim, join(temp, 'tls.key')) }
    )
    expect(r.exitCode).toBe(1)
    expect(r.errors).toEqual([expect.stringContaining('which already exists (a symbolic link)')])
    expect(s.requests).toEqual([])
    expect(readFileSync(victim, 'utf8')).toBe(OUTSIDE)
  })

  it('a link that points to another folder inside RUNNER_TEMP is not followed either', async () => {
    let link = ''
    const r = await run(
      { files: 'certs/tls.key=tls-key' },
      {
        prepare: ({ temp }) => {
          mkdirSync(join(temp, 'real'))
          link = plantAsRoot(join(temp, 'real'), join(temp, 'certs'))
        }
      }
    )
    expectRefused(r, `through the symbolic link '${link}'`)
  })
})

describe('the post step follows no link either', () => {
  it('a folder the step created, swapped for a link before the post step: the file is left, with a warning; nothing is removed through the link', async () => {
    const r = await run({ files: 'certs/tls.key=tls-key' }, { keepWorkDir: true })
    try {
      expectSuccess(r)
      const certs = join(r.workDir, 'certs')
      // A later step moves the folder away and puts a link in its place (here, to the moved folder).
      renameSync(certs, join(r.workDir, 'moved'))
      symlinkSync(join(r.workDir, 'moved'), certs)
      const post = await runPost(r.state, { standin: s })
      expect({ exitCode: post.exitCode, errors: post.errors }).toEqual({ exitCode: 0, errors: [] })
      expect(post.warnings).toEqual([
        `Did not remove '${join(certs, 'tls.key')}': a folder on its path is now a symbolic link (or was moved), so it is left as it is.`
      ])
      expect(existsSync(join(r.workDir, 'moved', 'tls.key'))).toBe(true)
    } finally {
      rmSync(r.workDir, { recursive: true, force: true })
    }
  })
})

describe('RUNNER_TEMP that is itself a link (a self-hosted runner)', () => {
  let real: string
  let linked: string
  beforeEach(() => {
    real = realpathSync(mkdtempSync(join(tmpdir(), 'kv-real-temp-')))
    linked = join(mkdtempSync(join(tmpdir(), 'kv-linked-temp-')), 'temp')
    symlinkSync(real, linked)
    // The runner's user made it, not root: resolved once, at the start, it is still the base.
    if (process.getuid?.() === 0) lchownSync(linked, 65534, 65534)
  })
  afterEach(() => {
    rmSync(real, { recursive: true, force: true })
    rmSync(join(linked, '..'), { recursive: true, force: true })
  })

  it('relative paths and paths spelled with RUNNER_TEMP land in its real folder; the post step removes them', async () => {
    const r = await run(
      { files: `certs/tls.key=tls-key\n${join(linked, 'abs.key')}=tls-key` },
      { env: { RUNNER_TEMP: linked } }
    )
    expectSuccess(r)
    const written = [join(real, 'certs', 'tls.key'), join(real, 'abs.key')]
    expect(Object.values(JSON.parse(r.outputs.files ?? '{}') as Record<string, string>)).toEqual(written)
    for (const file of written) {
      expect(readFileSync(file, 'utf8')).toBe(KEY)
      expect(statSync(file).mode & 0o777).toBe(0o600)
    }
    const post = await runPost(r.state, { standin: s, env: { RUNNER_TEMP: linked } })
    expect({ exitCode: post.exitCode, errors: post.errors, warnings: post.warnings }).toEqual({
      exitCode: 0,
      errors: [],
      warnings: []
    })
    expect(written.map((file) => existsSync(file))).toEqual([false, false])
  })
})
