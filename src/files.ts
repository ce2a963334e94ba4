import * as core from '@actions/core'
import {
  closeSync,
  constants,
  fchmodSync,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  unlinkSync,
  writeFileSync,
  type Stats
} from 'node:fs'
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path'
import { State } from './constants.js'
import { Inputs } from './inputs/table.js'
import { kindOf, removeIfOurs, shown, type WrittenFile } from './writtenFiles.js'
import { ActionError, quote } from './errors.js'
import type { FileEntry } from './inputs/entries.js'
import type { FileSecret } from './operations/get.js'

export { parseWrittenFiles, removeIfOurs, type WrittenFile } from './writtenFiles.js'

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

/** Where relative paths go: RUNNER_TEMP, or the working folder outside a runner. */
function baseFolder(): string {
  return resolve(process.env.RUNNER_TEMP ?? process.cwd())
}

/** The absolute path an entry writes. */
export function targetOf(path: string, base = baseFolder()): string {
  return isAbsolute(path) ? resolve(path) : resolve(base, path)
}

export interface TargetCheckOptions {
  readonly base?: string
  /** Decides whether paths that differ only in case are one file. */
  readonly platform?: NodeJS.Platform
}

/**
 * Refuses, before any request, every entry that could write into a file that is not new and ours:
 * a relative path leaving the base folder, two entries for one file, a target that already exists,
 * and a path through a symbolic link someone other than root could have planted.
 */
export function checkFileTargets(targets: readonly FileTarget[], options: TargetCheckOptions = {}): void {
  const base = options.base ?? baseFolder()
  const foldsCase = ['win32', 'darwin'].includes(options.platform ?? process.platform)
  const seen = new Map<string, FileTarget>()
  for (const target of targets) {
    const path = targetOf(target.path, base)
    if (!isAbsolute(target.path) && leaves(base, path)) throw escapes(target, base)
    const key = foldsCase ? path.toLowerCase() : path
    const earlier = seen.get(key)
    if (earlier) throw duplicate(earlier, target, path)
    seen.set(key, target)
  }
  for (const target of targets) {
    const path = targetOf(target.path, base)
    const link = plantedLinkAbove(path)
    if (link !== undefined) throw throughLink(target, path, link)
    const existing = lstatTarget(target, path)
    if (existing) throw alreadyExists(target, path, kindOf(existing))
  }
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

function leaves(base: string, path: string): boolean {
  const rel = relative(base, path)
  return rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)
}

/** Every folder above path, from the filesystem root down (the root itself left out). */
function foldersAbove(path: string): string[] {
  const folders: string[] = []
  for (let folder = dirname(path); dirname(folder) !== folder; folder = dirname(folder)) folders.unshift(folder)
  return folders
}

/**
 * A link owned by root is the system's (macOS /tmp -> /private/tmp); any other could have been
 * planted by a step of the job. On Windows lstat reports uid 0 for everything, so there this
 * check lets every link pass: only O_EXCL and the checks on the target itself apply.
 */
function isPlantedLink(stats: Stats): boolean {
  return stats.isSymbolicLink() && stats.uid !== 0
}

/** The first planted link among the existing folders above path, if any. */
function plantedLinkAbove(path: string): string | undefined {
  for (const folder of foldersAbove(path)) {
    const stats = lstatOrUndefined(folder)
    // Missing (or not a folder): nothing below it exists either, and the write creates or fails.
    if (!stats || (!stats.isDirectory() && !stats.isSymbolicLink())) return undefined
    if (isPlantedLink(stats)) return folder
  }
  return undefined
}

/** lstat, or undefined when nothing is there (or it cannot be looked at: the write will say why). */
function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path, { throwIfNoEntry: false })
  } catch {
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
    `would write ${shown(path)} through the symbolic link ${shown(link)}. Accepted: a path through real folders (or links owned by root, such as macOS /tmp): give the folder's real path, or remove the link.`
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
      const path = targetOf(target.path)
      ensureFolders(dirname(path), target)
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

/** Creates the missing folders one level at a time; each must then be a real folder. */
function ensureFolders(folder: string, target: FileTarget): void {
  for (const path of [...foldersAbove(folder), folder]) {
    if (!lstatOrUndefined(path)) makeFolder(path)
    const stats = lstatSync(path)
    if (isPlantedLink(stats)) throw throughLink(target, targetOf(target.path), path)
    if (!stats.isDirectory() && !stats.isSymbolicLink()) throw new Error(`${shown(path)} is not a folder`)
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
    return { fd, file: { path, dev: String(dev), ino: String(ino) } }
  } catch (error) {
    closeSync(fd)
    unlinkSync(path)
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
