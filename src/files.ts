import * as core from '@actions/core'
import { closeSync, constants, fchmodSync, fstatSync, lstatSync, mkdirSync, openSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { State } from './constants.js'
import { alreadyExists, fileTargetOf, realPathOf, throughLink, type FileTarget } from './inputs/fileTargets.js'
import { Inputs } from './inputs/table.js'
import { removeIfOurs, shown, type WrittenFile } from './writtenFiles.js'
import { baseFolder, foldersAbove, isAt, linkOnTheWay, lstatOrUndefined, targetOf } from './realPaths.js'
import { ActionError } from './errors.js'
import type { FileEntry } from './inputs/entries.js'
import type { Vault } from './inputs/vault.js'
import type { CertificateInfo } from './certificates/info.js'

// A certificate stored through Key Vault's certificates API is a base64 PFX in a secret of this type.
const PKCS12 = 'application/x-pkcs12'

// Windows has no O_NOFOLLOW; O_EXCL alone still refuses an existing link there.
const NoFollow = (constants as { O_NOFOLLOW?: number }).O_NOFOLLOW ?? 0
const CreateNew = constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | NoFollow

/** A file to create: where, and its bytes (decided in full before the first file is created). */
export interface SecretFile {
  readonly target: FileTarget
  readonly content: string | Uint8Array
}

/** A secret read for a `files` entry (`get`); written to disk after every read succeeded. */
export interface FileSecret {
  readonly entry: FileEntry
  /** The text written (and masked): the value, or what `#...` selected; for bytes, their text when they are UTF-8. */
  readonly value: string
  readonly wholeValue?: string
  /** Other text from the secret, masked line by line (a certificate's every block). */
  readonly alsoMasked?: readonly string[]
  /** Bytes to write instead of `value` (a PFX, a decoded `#base64` or `#hex` value). */
  readonly bytes?: Uint8Array
  readonly vault: Vault
  readonly contentType: string
  readonly expiresOn?: Date
  /** When a certificate's part was selected: its leaf certificate. */
  readonly certificate?: CertificateInfo
}

/** A `files` entry's file: the bytes selected, the value as it is, or a certificate's PFX decoded from base64. */
export const secretFileOf = (secret: FileSecret): SecretFile => ({
  target: fileTargetOf(secret.entry),
  content: secret.bytes ?? (secret.contentType === PKCS12 ? Buffer.from(secret.value, 'base64') : secret.value)
})

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
