import * as core from '@actions/core'
import {
  closeSync,
  constants,
  fchmodSync,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  writeFileSync,
  type Stats
} from 'node:fs'
import { dirname, isAbsolute } from 'node:path'
import { State } from './constants.js'
import { Inputs } from './inputs/table.js'
import { kindOf, removeIfOurs, shown, type WrittenFile } from './writtenFiles.js'
import {
  baseFolder,
  foldersAbove,
  isAt,
  leaves,
  linkOnTheWay,
  lstatOrUndefined,
  realTarget,
  targetOf
} from './realPaths.js'
import { ActionError, quote } from './errors.js'
import type { FileEntry } from './inputs/entries.js'
import type { Vault } from './inputs/vault.js'

// A certificate stored through Key Vault's certificates API is a base64 PFX in a secret of this type.
const PKCS12 = 'application/x-pkcs12'

// Windows has no O_NOFOLLOW; O_EXCL alone still refuses an existing link there.
const NoFollow = (constants as { O_NOFOLLOW?: number }).O_NOFOLLOW ?? 0
const CreateNew = constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | NoFollow

/** A file the step is to write, as an input names it: `files` entries and `env-file` alike. */
export interface FileTarget {
  /** The input that names it; its errors start with it. */
  readonly input: string
  /** The `files` entry as written; none for `env-file`, whose whole value is the path. */
  readonly entry?: string
  /** As written; relative paths resolve under RUNNER_TEMP. */
  readonly path: string
}

/** A file to create: where, and its bytes (decided in full before the first file is created). */
export interface SecretFile {
  readonly target: FileTarget
  readonly content: string | Uint8Array
}

/** A secret read for a `files` entry (`get`); written to disk after every read succeeded. */
export interface FileSecret {
  readonly entry: FileEntry
  readonly value: string
  readonly wholeValue?: string
  readonly vault: Vault
  readonly contentType: string
  readonly expiresOn?: Date
}

export const fileTargetOf = (entry: FileEntry): FileTarget => ({
  input: Inputs.Files,
  entry: entry.text,
  path: entry.path
})

/** A `files` entry's file: the value as it is, or a certificate's PFX decoded from base64. */
export const secretFileOf = (secret: FileSecret): SecretFile => ({
  target: fileTargetOf(secret.entry),
  content: secret.contentType === PKCS12 ? Buffer.from(secret.value, 'base64') : secret.value
})

export interface TargetCheckOptions {
  /** The base folder, already real (default: RUNNER_TEMP resolved). */
  readonly base?: string
  /** Decides whether paths that differ only in case are one file. */
  readonly platform?: NodeJS.Platform
}

/**
 * Refuses, before any request, every entry that could write into a file that is not new and ours:
 * a relative path leaving the base folder, a path through a link that may not be followed (see
 * realTarget), two entries for one file, and a target that already exists.
 */
export function checkFileTargets(targets: readonly FileTarget[], options: TargetCheckOptions = {}): void {
  const base = options.base ?? baseFolder().real
  const foldsCase = ['win32', 'darwin'].includes(options.platform ?? process.platform)
  const paths = targets.map((target) => {
    const path = targetOf(target.path, options.base ?? baseFolder())
    if (!isAbsolute(target.path) && leaves(base, path)) throw escapes(target, base)
    return realPathOf(target, path, base)
  })
  const seen = new Map<string, FileTarget>()
  targets.forEach((target, index) => {
    const path = paths[index] ?? ''
    const key = foldsCase ? path.toLowerCase() : path
    const earlier = seen.get(key)
    if (earlier) throw duplicate(earlier, target, path)
    seen.set(key, target)
  })
  targets.forEach((target, index) => {
    const existing = lstatTarget(target, paths[index] ?? '')
    if (existing) throw alreadyExists(target, paths[index] ?? '', kindOf(existing))
  })
}

/** Where the target really is (realPaths.ts: realTarget); a link that may not be followed is refused. */
function realPathOf(target: FileTarget, path: string, base: string): string {
  const real = realTarget(path, base)
  if ('link' in real) throw throughLink(target, path, real.link)
  return real.path
}

/** What is at the target already; a name the file system cannot hold is refused now, not at the write. */
function lstatTarget(target: FileTarget, path: string): Stats | undefined {
  try {
    return lstatSync(path, { throwIfNoEntry: false })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENAMETOOLONG')
      throw targetError(target, `would write ${shown(path)}, a name longer than the file system takes.`)
    return undefined
  }
}

/** Who asks for the file, as its errors start: `Input 'files': the entry '...'`, or `Input 'env-file'`. */
const subject = ({ input, entry }: FileTarget): string =>
  entry === undefined ? `Input '${input}'` : `Input '${input}': the entry ${quote(entry)}`

const targetError = (target: FileTarget, what: string): ActionError => new ActionError(`${subject(target)} ${what}`)

function escapes(target: FileTarget, base: string): ActionError {
  const where = process.env.RUNNER_TEMP ? 'RUNNER_TEMP' : 'the working folder'
  return targetError(
    target,
    `has a relative path that leads outside ${where} (${shown(base)}). Accepted: a relative path that stays under ${where} ('..' may not climb out of it), or an absolute path.`
  )
}

function duplicate(first: FileTarget, second: FileTarget, path: string): ActionError {
  const both =
    first.input === second.input
      ? `Input '${first.input}': the entries ${quote(first.entry ?? first.path)} and ${quote(second.entry ?? second.path)}`
      : `${subject(first)} and input '${second.input}'`
  return new ActionError(
    `${both} both write ${shown(path)}. Accepted: one entry per file (paths that differ only in case are one file on Windows and macOS).`
  )
}

function alreadyExists(target: FileTarget, path: string, kind: string): ActionError {
  return targetError(
    target,
    `would write ${shown(path)}, which already exists (${kind}). The action writes only new files and never overwrites or writes through one: remove it in an earlier step or choose another path.`
  )
}

function throughLink(target: FileTarget, path: string, link: string): ActionError {
  return targetError(
    target,
    `would write ${shown(path)} through the symbolic link ${shown(link)}. Accepted: a path through real folders; under RUNNER_TEMP no link is followed, whoever owns it, and elsewhere only links owned by root (the system's, such as macOS /tmp). Give the folder's real path, or remove the link.`
  )
}

/**
 * Creates each file new (0600, new folders 0700), never through a link, and records it for the
 * post step. On any failure the files this run created are removed, so nothing is half-done.
 * Returns the absolute path of each, in order.
 */
export function writeSecretFiles(files: readonly SecretFile[]): string[] {
  const written: WrittenFile[] = []
  const paths: string[] = []
  let current: FileTarget | undefined
  try {
    for (const { target, content } of files) {
      current = target
      const base = baseFolder()
      // Judged again, against what is there now: a link planted since the check is refused.
      const path = realPathOf(target, targetOf(target.path, base), base.real)
      ensureFolders(dirname(path), target, path)
      const { fd, file } = openNew(path, target)
      // Recorded before the content goes in, so a failed write is removed too.
      written.push(file)
      fill(fd, content)
      // Saved after each file: a step killed half-way still leaves the post step the list.
      core.saveState(State.WrittenFiles, JSON.stringify(written))
      paths.push(path)
    }
  } catch (error) {
    const left = removeAfterFailure(written)
    if (written.length > 0) core.saveState(State.WrittenFiles, JSON.stringify(left))
    if (error instanceof ActionError) throw error
    throw new ActionError(
      `Input '${current?.input ?? Inputs.Files}': could not write a secret file: ${(error as Error).message}`
    )
  }
  return paths
}

/**
 * Creates the missing folders one level at a time. The path is real (realTarget), so each folder
 * on it must now be a real folder: a link found here appeared since, and is not followed.
 */
function ensureFolders(folder: string, target: FileTarget, path: string): void {
  for (const each of [...foldersAbove(folder), folder]) {
    if (!lstatOrUndefined(each)) makeFolder(each)
    const stats = lstatSync(each)
    if (stats.isSymbolicLink()) throw throughLink(target, path, each)
    if (!stats.isDirectory()) throw new Error(`${shown(each)} is not a folder`)
  }
}

function makeFolder(path: string): void {
  try {
    mkdirSync(path, { mode: 0o700 })
  } catch (error) {
    // Another process made it meanwhile: the lstat that follows decides whether it will do.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
  }
}

/** Opens the file new and exclusively, never through a link, and reads its identity. */
function openNew(path: string, target: FileTarget): { fd: number; file: WrittenFile } {
  let fd: number
  try {
    fd = openSync(path, CreateNew, 0o600)
  } catch (error) {
    // Something appeared since the inputs were checked: fail closed, never overwrite.
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'EEXIST' || code === 'ELOOP')
      throw alreadyExists(target, path, 'it appeared after the inputs were checked')
    throw error
  }
  try {
    const { dev, ino } = fstatSync(fd, { bigint: true })
    if (!isAt(path, dev, ino)) throw throughLink(target, path, linkOnTheWay(path))
    return { fd, file: { path, dev: String(dev), ino: String(ino) } }
  } catch (error) {
    // Nothing has been written into it: an empty file, wherever it landed, holds no secret.
    closeSync(fd)
    throw error
  }
}

function fill(fd: number, content: string | Uint8Array): void {
  try {
    fchmodSync(fd, 0o600) // the umask may have taken bits from the mode given to open
    writeFileSync(fd, content)
  } finally {
    closeSync(fd)
  }
}

/** Removes what this run created before failing; returns the files that could not be removed. */
function removeAfterFailure(written: readonly WrittenFile[]): WrittenFile[] {
  return written.filter((file) => {
    try {
      const left = removeIfOurs(file)
      if (left) core.warning(left)
      return false
    } catch {
      return true
    }
  })
}
