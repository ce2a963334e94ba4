/**
 * The `files` path checks (before any request), the exclusive writer and the post step's removal
 * by identity, on a real temporary folder.
 */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import {
  chmodSync,
  existsSync,
  lchownSync,
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
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
import { ActionError } from '../../src/errors.js'
import {
  checkFileTargets,
  fileTargetOf,
  secretFileOf,
  type FileTarget,
  type SecretFile,
  writeSecretFiles
} from '../../src/files.js'
import { targetOf } from '../../src/realPaths.js'
import { parseWrittenFiles, removeIfOurs, type WrittenFile } from '../../src/writtenFiles.js'
import { parseFilesInput } from '../../src/inputs/entries.js'
import type { FileSecret } from '../../src/files.js'
import { captureStdout, isolateEnv, thrownBy, unescapeData, VAULT } from './helpers.js'

isolateEnv()
const stdout = captureStdout()

const isRoot = process.getuid?.() === 0
let temp: string

beforeEach(() => {
  // The real path: a test folder reached through a system link would not be the point of a test.
  temp = realpathSync(mkdtempSync(join(tmpdir(), 'kv-files-unit-')))
  process.env.RUNNER_TEMP = temp
})
afterEach(() => {
  rmSync(temp, { recursive: true, force: true })
})

/** A link as a step of an ordinary job leaves it: owned by the runner's user (root's, as in a container job: below). */
function plantLink(target: string, link: string): void {
  symlinkSync(target, link)
  if (isRoot) lchownSync(link, 65534, 65534)
}

function refusal(raw: string, options: Parameters<typeof checkFileTargets>[1] = {}): string {
  const error = thrownBy(() => checkFileTargets(parseFilesInput(raw).map(fileTargetOf), options))
  expect(error).toBeInstanceOf(ActionError)
  expect(error.message).toMatch(/^Input 'files': /)
  return error.message
}

const accepts = (raw: string, options: Parameters<typeof checkFileTargets>[1] = {}): void =>
  checkFileTargets(parseFilesInput(raw).map(fileTargetOf), options)

describe('checkFileTargets', () => {
  test('new paths under RUNNER_TEMP, with .. that stays inside, and absolute paths elsewhere are accepted', () => {
    const elsewhere = join(temp, 'no-such-folder', 'key.pem')
    expect(() =>
      accepts(`a.pem=s1\ncerts/b.pem=s2\ncerts/../c.pem=s3\n./d/e/../f.pem=s4\n${elsewhere}=s5`)
    ).not.toThrow()
  })

  test.each(['../x.pem', '../../escape.pem', 'certs/../../x.pem', '..'])(
    'a relative path leaving RUNNER_TEMP is refused: %s',
    (path) => {
      expect(refusal(`${path}=s1`)).toBe(
        `Input 'files': the entry '${path}=s1' has a relative path that leads outside RUNNER_TEMP ('${temp}'). Accepted: a relative path that stays under RUNNER_TEMP ('..' may not climb out of it), or an absolute path.`
      )
    }
  )

  test('without RUNNER_TEMP, relative paths stay under the working folder', () => {
    delete process.env.RUNNER_TEMP
    expect(refusal('../../../../../../../../x.pem=s1')).toContain('leads outside the working folder')
    expect(targetOf('x.pem')).toBe(join(process.cwd(), 'x.pem'))
  })

  test('two entries for one path are refused, naming both', () => {
    expect(refusal('certs/a.pem=s1\n./certs//a.pem=s2')).toBe(
      `Input 'files': the entries 'certs/a.pem=s1' and './certs//a.pem=s2' both write '${join(temp, 'certs', 'a.pem')}'. Accepted: one entry per file (paths that differ only in case are one file on Windows and macOS).`
    )
    expect(refusal(`a.pem=s1\n${join(temp, 'a.pem')}=s2`)).toContain('both write')
  })

  test('paths that differ only in case are one file on win32 and darwin, two on linux', () => {
    for (const platform of ['win32', 'darwin'] as const)
      expect(refusal('Key.pem=s1\nkey.PEM=s2', { platform })).toContain('both write')
    expect(() => accepts('Key.pem=s1\nkey.PEM=s2', { platform: 'linux' })).not.toThrow()
  })

  test.each([
    ['a file', (path: string) => writeFileSync(path, 'x')],
    ['a folder', (path: string) => mkdirSync(path)],
    ['a symbolic link', (path: string) => symlinkSync(join(temp, 'elsewhere'), path)],
    ['a file with more than one name: a hard link', (path: string) => linkSync(writeTo(join(temp, 'other')), path)]
  ])('a target that already exists as %s is refused', (kind, plant) => {
    plant(join(temp, 'key.pem'))
    expect(refusal('key.pem=s1')).toBe(
      `Input 'files': the entry 'key.pem=s1' would write '${join(temp, 'key.pem')}', which already exists (${kind}). The action writes only new files and never overwrites or writes through one: remove it in an earlier step or choose another path.`
    )
  })

  test('a planted symbolic link among the folders above the target is refused, naming it, even far above', () => {
    mkdirSync(join(temp, 'real'))
    plantLink(join(temp, 'real'), join(temp, 'link'))
    for (const path of ['link/key.pem', 'link/deeper/still/key.pem']) {
      expect(refusal(`${path}=s1`)).toBe(
        `Input 'files': the entry '${path}=s1' would write '${join(temp, path)}' through the symbolic link '${join(temp, 'link')}'. Accepted: a path through real folders; under RUNNER_TEMP no link is followed, whoever owns it, and elsewhere only links owned by root (the system's, such as macOS /tmp). Give the folder's real path, or remove the link.`
      )
    }
    expect(() => accepts('real/key.pem=s1')).not.toThrow()
  })

  ;(isRoot ? test : test.skip)(
    'a link inside RUNNER_TEMP owned by root is refused too: in a container job, earlier steps are root',
    () => {
      mkdirSync(join(temp, 'real'))
      symlinkSync(join(temp, 'real'), join(temp, 'system'))
      expect(lstatSync(join(temp, 'system')).uid).toBe(0)
      expect(refusal('system/key.pem=s1')).toContain(`through the symbolic link '${join(temp, 'system')}'`)
      expect(refusal(`${join(temp, 'system', 'key.pem')}=s1`)).toContain(
        `through the symbolic link '${join(temp, 'system')}'`
      )
    }
  )

  describe("links owned by root above RUNNER_TEMP, or outside it, are the system's (macOS /tmp) and followed", () => {
    ;(isRoot ? test : test.skip)('above: RUNNER_TEMP reached through a root link is resolved once, and used', () => {
      mkdirSync(join(temp, 'real', 'runner-temp'), { recursive: true })
      symlinkSync(join(temp, 'real'), join(temp, 'system'))
      process.env.RUNNER_TEMP = join(temp, 'system', 'runner-temp')
      expect(() => accepts('key.pem=s1')).not.toThrow()
      expect(targetOf('key.pem')).toBe(join(temp, 'real', 'runner-temp', 'key.pem'))
    })

    ;(isRoot ? test : test.skip)('outside: an absolute path through a root link elsewhere is accepted', () => {
      process.env.RUNNER_TEMP = join(temp, 'runner-temp')
      mkdirSync(process.env.RUNNER_TEMP)
      mkdirSync(join(temp, 'real'))
      symlinkSync(join(temp, 'real'), join(temp, 'system'))
      expect(() => accepts(`${join(temp, 'system', 'key.pem')}=s1`)).not.toThrow()
    })

    ;(isRoot ? test : test.skip)(
      'a root link outside that leads into RUNNER_TEMP meets the rule of RUNNER_TEMP there',
      () => {
        const runnerTemp = join(temp, 'runner-temp')
        mkdirSync(join(runnerTemp, 'real'), { recursive: true })
        process.env.RUNNER_TEMP = runnerTemp
        symlinkSync(runnerTemp, join(temp, 'into-temp'))
        symlinkSync(join(runnerTemp, 'real'), join(runnerTemp, 'inner'))
        expect(() => accepts(`${join(temp, 'into-temp', 'real', 'key.pem')}=s1`)).not.toThrow()
        expect(refusal(`${join(temp, 'into-temp', 'inner', 'key.pem')}=s1`)).toContain(
          `through the symbolic link '${join(runnerTemp, 'inner')}'`
        )
      }
    )
  })

  test('RUNNER_TEMP that is itself a link (any owner) is resolved once: relative paths and paths spelled with it go to its real folder', () => {
    mkdirSync(join(temp, 'real'))
    plantLink(join(temp, 'real'), join(temp, 'runner-temp'))
    process.env.RUNNER_TEMP = join(temp, 'runner-temp')
    expect(() => accepts(`a.pem=s1\n${join(temp, 'runner-temp', 'b.pem')}=s2`)).not.toThrow()
    expect(targetOf(join(temp, 'runner-temp', 'b.pem'))).toBe(join(temp, 'real', 'b.pem'))
    expect(refusal(`a.pem=s1\n${join(temp, 'runner-temp', 'a.pem')}=s2`)).toContain('both write')
  })
})

describe('checkFileTargets: the env file beside the entries', () => {
  const envFile = (path: string): FileTarget => ({ input: 'env-file', path })
  const check = (raw: string, path: string): void =>
    checkFileTargets([...parseFilesInput(raw).map(fileTargetOf), envFile(path)])

  test('errors name the input alone: its whole value is the path', () => {
    writeTo(join(temp, 'app.env'))
    expect(thrownBy(() => check('a.pem=s1', 'app.env')).message).toBe(
      `Input 'env-file' would write '${join(temp, 'app.env')}', which already exists (a file). The action writes only new files and never overwrites or writes through one: remove it in an earlier step or choose another path.`
    )
    expect(thrownBy(() => check('a.pem=s1', '../app.env')).message).toMatch(
      /^Input 'env-file' has a relative path that leads outside RUNNER_TEMP/
    )
  })

  test('an entry and the env file for one file: refused, naming both', () => {
    expect(thrownBy(() => check('app.env=s1', './app.env')).message).toBe(
      `Input 'files': the entry 'app.env=s1' and input 'env-file' both write '${join(temp, 'app.env')}'. Accepted: one entry per file (paths that differ only in case are one file on Windows and macOS).`
    )
  })

  test('a name longer than the file system takes: refused before the write', () => {
    expect(thrownBy(() => check('', 'n'.repeat(300))).message).toBe(
      `Input 'env-file' would write '${join(temp, 'n'.repeat(300))}', a name longer than the file system takes.`
    )
  })
})

function writeTo(path: string, content = 'x'): string {
  writeFileSync(path, content)
  return path
}

function secret(raw: string, value = 'v@lue', contentType = ''): SecretFile {
  const [entry] = parseFilesInput(raw)
  if (!entry) throw new Error('no entry')
  return secretFileOf({ entry, value, contentType, vault: VAULT } satisfies FileSecret)
}

/** The last state saved for the post step. */
function savedState(): WrittenFile[] | undefined {
  const saves = stdout.commands().filter((c) => c.command === 'save-state' && c.properties === 'name=written-files')
  const last = saves.at(-1)
  return last && (JSON.parse(unescapeData(last.data)) as WrittenFile[])
}

describe('writeSecretFiles', () => {
  test('creates 0600 files in 0700 folders and records path, device and inode of each', () => {
    const umask = process.umask(0o022)
    try {
      const paths = writeSecretFiles([
        secret('a/b/key.pem=s1', 'pem text'),
        secret('cert.pfx=s2', Buffer.from([0, 1, 255]).toString('base64'), 'application/x-pkcs12')
      ])
      const key = join(temp, 'a', 'b', 'key.pem')
      expect(paths).toEqual([key, join(temp, 'cert.pfx')])
      expect(readFileSync(key, 'utf8')).toBe('pem text')
      expect(readFileSync(join(temp, 'cert.pfx'))).toEqual(Buffer.from([0, 1, 255]))
      expect(statSync(key).mode & 0o777).toBe(0o600)
      for (const folder of ['a', 'a/b']) expect(statSync(join(temp, folder)).mode & 0o777).toBe(0o700)
      const recorded = savedState()
      const { dev, ino } = statSync(key, { bigint: true })
      expect(recorded?.[0]).toEqual({ path: key, dev: String(dev), ino: String(ino) })
      expect(recorded).toHaveLength(2)
    } finally {
      process.umask(umask)
    }
  })

  test('a target that appeared after the check fails closed: not overwritten, the files created before it removed', () => {
    const late = writeTo(join(temp, 'late.pem'), 'not ours')
    chmodSync(late, 0o644)
    const error = thrownBy(() => writeSecretFiles([secret('first.pem=s1'), secret('late.pem=s2')]))
    expect(error).toBeInstanceOf(ActionError)
    expect(error.message).toBe(
      `Input 'files': the entry 'late.pem=s2' would write '${late}', which already exists (it appeared after the inputs were checked). The action writes only new files and never overwrites or writes through one: remove it in an earlier step or choose another path.`
    )
    expect(readFileSync(late, 'utf8')).toBe('not ours')
    expect(statSync(late).mode & 0o777).toBe(0o644)
    expect(existsSync(join(temp, 'first.pem'))).toBe(false)
    expect(savedState()).toEqual([])
  })

  test('a symbolic link at the target at write time is not followed', () => {
    const victim = writeTo(join(temp, 'victim'), 'kept')
    symlinkSync(victim, join(temp, 'key.pem'))
    expect(thrownBy(() => writeSecretFiles([secret('key.pem=s1')])).message).toContain(
      'which already exists (it appeared after the inputs were checked)'
    )
    expect(readFileSync(victim, 'utf8')).toBe('kept')
  })

  test('a planted link among the folders at write time is refused', () => {
    mkdirSync(join(temp, 'real'))
    plantLink(join(temp, 'real'), join(temp, 'certs'))
    expect(thrownBy(() => writeSecretFiles([secret('certs/key.pem=s1')])).message).toContain(
      `through the symbolic link '${join(temp, 'certs')}'`
    )
    expect(existsSync(join(temp, 'real', 'key.pem'))).toBe(false)
  })

  test('a file where a folder should be: refused under the input', () => {
    writeTo(join(temp, 'certs'))
    expect(thrownBy(() => writeSecretFiles([secret('certs/key.pem=s1')])).message).toBe(
      `Input 'files': could not write a secret file: '${join(temp, 'certs')}' is not a folder`
    )
  })
})

describe('removeIfOurs and parseWrittenFiles', () => {
  function written(name: string): WrittenFile {
    writeSecretFiles([secret(`${name}=s1`)])
    const file = savedState()?.at(-1)
    if (!file) throw new Error('nothing recorded')
    return file
  }

  test('removes the file it wrote', () => {
    const file = written('key.pem')
    expect(removeIfOurs(file)).toBeUndefined()
    expect(existsSync(file.path)).toBe(false)
  })

  test('leaves a file with another inode, a link, a folder, or nothing, and says why', () => {
    const file = written('key.pem')
    const other = writeTo(join(temp, 'other'), 'not ours')
    rmSync(file.path)
    linkSync(other, file.path)
    expect(removeIfOurs(file)).toBe(
      `Did not remove '${file.path}': it was replaced by another file after the step wrote it, so it is left as it is.`
    )
    rmSync(file.path)
    symlinkSync(other, file.path)
    expect(removeIfOurs(file)).toContain('it is now a symbolic link')
    rmSync(file.path)
    mkdirSync(file.path)
    expect(removeIfOurs(file)).toContain('it is now a folder')
    rmSync(file.path, { recursive: true })
    expect(removeIfOurs(file)).toBe(
      `Did not remove '${file.path}': it is gone (something removed it after the step wrote it).`
    )
    expect(readFileSync(other, 'utf8')).toBe('not ours')
  })

  test('a folder on its path swapped for a link (here, to where the file now is): left, and says why', () => {
    writeSecretFiles([secret('certs/key.pem=s1')])
    const file = savedState()?.at(-1)
    if (!file) throw new Error('nothing recorded')
    const cwd = process.cwd()
    renameSync(join(temp, 'certs'), join(temp, 'moved'))
    symlinkSync(join(temp, 'moved'), join(temp, 'certs'))
    expect(removeIfOurs(file)).toBe(
      `Did not remove '${file.path}': a folder on its path is now a symbolic link (or was moved), so it is left as it is.`
    )
    expect(existsSync(join(temp, 'moved', 'key.pem'))).toBe(true)
    expect(process.cwd()).toBe(cwd)
  })

  test('reads the records it wrote and counts anything else as malformed', () => {
    const file = { path: join(temp, 'a'), dev: '1', ino: '18446744073709551615' }
    expect(parseWrittenFiles(JSON.stringify([file]))).toEqual({ files: [file], malformed: 0 })
    expect(parseWrittenFiles('')).toEqual({ files: [], malformed: 0 })
    expect(parseWrittenFiles(JSON.stringify([join(temp, 'a')]))).toEqual({ files: [], malformed: 1 })
    expect(parseWrittenFiles(JSON.stringify([{ ...file, ino: 7 }, { ...file, path: 'relative' }, null, file]))).toEqual(
      { files: [file], malformed: 3 }
    )
    expect(parseWrittenFiles('{not json')).toEqual({ files: [], malformed: 1 })
    expect(parseWrittenFiles('{}')).toEqual({ files: [], malformed: 1 })
  })
})
