import { lstatSync, type Stats } from 'node:fs'
import { isAbsolute } from 'node:path'
import { ActionError } from '../errors.js'
import { baseFolder, leaves, realTarget, targetOf } from '../realPaths.js'
import { quote } from '../text.js'
import { kindOf, shown } from '../writtenFiles.js'
import type { FileEntry } from './entries.js'
import { Inputs } from './table.js'

/*
 * The files the inputs name (`files`, `env-file`), checked before any request: where each lands,
 * and that it can be created new there. files.ts writes them, judging each path again.
 */

/** A file the step is to write, as an input names it: `files` entries and `env-file` alike. */
export interface FileTarget {
  /** The input that names it; its errors start with it. */
  readonly input: string
  /** The `files` entry as written; none for `env-file`, whose whole value is the path. */
  readonly entry?: string
  /** As written; relative paths resolve under RUNNER_TEMP. */
  readonly path: string
}

export const fileTargetOf = (entry: FileEntry): FileTarget => ({
  input: Inputs.Files,
  entry: entry.text,
  path: entry.path
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
export function realPathOf(target: FileTarget, path: string, base: string): string {
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

export function alreadyExists(target: FileTarget, path: string, kind: string): ActionError {
  return targetError(
    target,
    `would write ${shown(path)}, which already exists (${kind}). The action writes only new files and never overwrites or writes through one: remove it in an earlier step or choose another path.`
  )
}

export function throughLink(target: FileTarget, path: string, link: string): ActionError {
  return targetError(
    target,
    `would write ${shown(path)} through the symbolic link ${shown(link)}. Accepted: a path through real folders; under RUNNER_TEMP no link is followed, whoever owns it, and elsewhere only links owned by root (the system's, such as macOS /tmp). Give the folder's real path, or remove the link.`
  )
}
