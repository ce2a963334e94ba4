/**
 * Where a file really goes: RUNNER_TEMP resolved once, and a path's links judged one by one (see
 * realTarget). Node's fs and path only.
 */
import { lstatSync, realpathSync, type Stats } from 'node:fs'
import { dirname, isAbsolute, join, parse, relative, resolve, sep } from 'node:path'
import { samePath } from './writtenFiles.js'

/** Where relative paths go: RUNNER_TEMP as given, and its real path. */
export interface Base {
  readonly given: string
  readonly real: string
}

/** RUNNER_TEMP's real path, by RUNNER_TEMP as given: resolved once, at the first check. */
const resolvedBases = new Map<string, string>()

/**
 * RUNNER_TEMP (or the working folder outside a runner). It may itself be a link (a self-hosted
 * runner's choice): it is resolved once, and its real folder is the base of every check and write
 * after, so a link swapped in for it later changes nothing, and no link is left above the files.
 */
export function baseFolder(): Base {
  const given = resolve(process.env.RUNNER_TEMP ?? process.cwd())
  let real = resolvedBases.get(given)
  if (real === undefined) {
    real = realPathOr(given, given)
    resolvedBases.set(given, real)
  }
  return { given, real }
}

function realPathOr<T>(path: string, fallback: T): string | T {
  try {
    return realpathSync(path)
  } catch {
    return fallback
  }
}

/** The absolute path an entry writes: relative paths, and absolute ones spelled with RUNNER_TEMP, under its real path. */
export function targetOf(path: string, base: Base | string = baseFolder()): string {
  const { given, real } = typeof base === 'string' ? { given: base, real: base } : base
  if (!isAbsolute(path)) return resolve(real, path)
  const absolute = resolve(path)
  // `${{ runner.temp }}/app.env` names RUNNER_TEMP as given: the same folder as its real path.
  return within(given, absolute) ? join(real, relative(given, absolute)) : absolute
}

export function leaves(base: string, path: string): boolean {
  const rel = relative(base, path)
  return rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)
}

/** Whether path is folder or below it (case folded where the file system folds it: Windows, macOS). */
function within(folder: string, path: string): boolean {
  const fold = (text: string): string =>
    process.platform === 'win32' || process.platform === 'darwin' ? text.toLowerCase() : text
  return !leaves(fold(folder), fold(path))
}

/** Every folder above path, from the filesystem root down (the root itself left out). */
export function foldersAbove(path: string): string[] {
  const folders: string[] = []
  for (let folder = dirname(path); dirname(folder) !== folder; folder = dirname(folder)) folders.unshift(folder)
  return folders
}

/**
 * The path really written, with the links it may pass through resolved: links outside
 * RUNNER_TEMP owned by root (the system's, as macOS /tmp -> /private/tmp). Any other link on the
 * way is refused: every link inside RUNNER_TEMP, whoever owns it (in a `container:` job earlier
 * steps run as root), and a link elsewhere that someone other than root could have planted. Each
 * link is judged where it really is, so a path reaching RUNNER_TEMP through a link outside it is
 * held to the same rule. Returns the path with no link left in it, or the first link refused. On
 * Windows lstat reports uid 0 for everything, so there only links inside RUNNER_TEMP are refused.
 */
export function realTarget(path: string, base: string): { readonly path: string } | { readonly link: string } {
  const names = path.slice(parse(path).root.length).split(sep).filter(Boolean)
  let folder = parse(path).root
  for (const [index, name] of names.slice(0, -1).entries()) {
    const next = join(folder, name)
    const stats = lstatOrUndefined(next)
    // Missing (or not a folder): nothing below it exists; the write creates it or fails.
    if (!stats || (!stats.isDirectory() && !stats.isSymbolicLink()))
      return { path: join(next, ...names.slice(index + 1)) }
    if (stats.isSymbolicLink()) {
      // Followed only when root's and outside RUNNER_TEMP, and then to where it really leads.
      const real = stats.uid === 0 && !within(base, next) ? realPathOr(next, undefined) : undefined
      if (real === undefined) return { link: next }
      folder = real
    } else folder = next
  }
  return { path: join(folder, names.at(-1) ?? '') }
}

/** lstat, or undefined when nothing is there (or it cannot be looked at: the write will say why). */
export function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path, { throwIfNoEntry: false })
  } catch {
    return undefined
  }
}

/**
 * Whether the file just created is at its path, reached through real folders: a folder swapped for
 * a link between the checks and the open would have put it elsewhere. Checked before any content
 * goes in; from then on the content goes to the file descriptor, wherever its name is moved.
 */
export function isAt(path: string, dev: bigint, ino: bigint): boolean {
  const there = lstatSync(path, { bigint: true, throwIfNoEntry: false })
  return there?.dev === dev && there.ino === ino && samePath(realPathOr(dirname(path), ''), dirname(path))
}

/** The first link among the folders above path now, for the message (the folder itself if it was swapped back). */
export const linkOnTheWay = (path: string): string =>
  foldersAbove(path).find((folder) => lstatOrUndefined(folder)?.isSymbolicLink()) ?? dirname(path)
