/**
 * The secret files a step wrote, as the post step needs them: the record of each file (saved in the
 * state), and its removal only while it is still that file. Node's fs and path only, so the post
 * step loads nothing else.
 */
import { lstatSync, unlinkSync, type BigIntStats, type Stats } from 'node:fs'
import { basename, dirname, isAbsolute } from 'node:path'

/** A file this run created, as the post step needs it to know the file is still ours. */
export interface WrittenFile {
  readonly path: string
  /** Device and inode (decimal strings: an inode may not fit a double). */
  readonly dev: string
  readonly ino: string
}

/**
 * Removes the file only if it is still the one this run created: a regular file with the same
 * device and inode, in the folder the step wrote it in. Returns why it was left, or undefined once
 * removed; an OS error throws. The step recorded the file's real path (no link on it), and the
 * removal happens from inside its folder (process.chdir), which holds the folder itself rather than
 * its name: a folder on the way swapped for a link, before or during the removal, cannot send it
 * elsewhere. And unlink removes a name, never what a link points to.
 */
export function removeIfOurs(file: WrittenFile): string | undefined {
  const left = (why: string): string => `Did not remove ${shown(file.path)}: ${why}.`
  const folder = dirname(file.path)
  const back = workingFolder()
  try {
    process.chdir(folder)
  } catch (error) {
    if (['ENOENT', 'ENOTDIR'].includes((error as NodeJS.ErrnoException).code ?? ''))
      return left('it is gone (something removed it after the step wrote it)')
    throw error
  }
  try {
    // The working folder, as the OS reports it, is real: another path means a link on the way.
    if (!samePath(process.cwd(), folder))
      return left('a folder on its path is now a symbolic link (or was moved), so it is left as it is')
    return removeHere(basename(file.path), file, left)
  } finally {
    returnTo(back)
  }
}

/** The working folder, or undefined when it is gone (a step removed it): then there is none to return to. */
function workingFolder(): string | undefined {
  try {
    return process.cwd()
  } catch {
    return undefined
  }
}

function returnTo(folder: string | undefined): void {
  try {
    if (folder !== undefined) process.chdir(folder)
  } catch {
    // Removed meanwhile: the removal's outcome stands, wherever the process now is.
  }
}

function removeHere(name: string, file: WrittenFile, left: (why: string) => string): string | undefined {
  const stats = lstatSync(name, { bigint: true, throwIfNoEntry: false })
  if (!stats) return left('it is gone (something removed it after the step wrote it)')
  if (!stats.isFile()) return left(`it is now ${kindOf(stats)}, not the file the step wrote, so it is left as it is`)
  if (String(stats.dev) !== file.dev || String(stats.ino) !== file.ino)
    return left('it was replaced by another file after the step wrote it, so it is left as it is')
  unlinkSync(name)
  return undefined
}

/** Two spellings of one path: case folded where the file system folds it (Windows, macOS). */
export const samePath = (a: string, b: string, platform: NodeJS.Platform = process.platform): boolean =>
  platform === 'win32' || platform === 'darwin' ? a.toLowerCase() === b.toLowerCase() : a === b

/** The post step's list: well-formed records, and how many others it had to ignore. */
export function parseWrittenFiles(state: string): { files: WrittenFile[]; malformed: number } {
  if (!state) return { files: [], malformed: 0 }
  let parsed: unknown
  try {
    parsed = JSON.parse(state)
  } catch {
    return { files: [], malformed: 1 }
  }
  if (!Array.isArray(parsed)) return { files: [], malformed: 1 }
  const files = parsed.filter(isWrittenFile)
  return { files, malformed: parsed.length - files.length }
}

function isWrittenFile(value: unknown): value is WrittenFile {
  if (typeof value !== 'object' || value === null) return false
  const { path, dev, ino } = value as Record<string, unknown>
  return (
    typeof path === 'string' && isAbsolute(path) && [dev, ino].every((id) => typeof id === 'string' && /^\d+$/.test(id))
  )
}

export function kindOf(stats: Stats | BigIntStats): string {
  if (stats.isSymbolicLink()) return 'a symbolic link'
  if (stats.isDirectory()) return 'a folder'
  if (stats.isFile()) return stats.nlink > 1 ? 'a file with more than one name: a hard link' : 'a file'
  return 'neither a file nor a folder'
}

/** A path in a message, whole: unlike an entry, a path is what the reader has to find. */
export const shown = (path: string): string => `'${path.replace(/\r?\n/g, '\\n')}'`
