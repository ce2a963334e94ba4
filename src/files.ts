import * as core from '@actions/core'
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, isAbsolute, resolve } from 'node:path'
import { State } from './constants.js'
import { ActionError } from './errors.js'
import type { FileSecret } from './vault/operations.js'

// A certificate stored through Key Vault's certificates API is a base64 PFX in a secret of this type.
const PKCS12 = 'application/x-pkcs12'

/**
 * Writes each secret to its file (0600, new folders 0700) and records the paths for the post step,
 * which removes them. On any failure the files already written are removed, so nothing is half-done.
 * Returns entry -> absolute path.
 */
export function writeSecretFiles(files: readonly FileSecret[]): Record<string, string> {
  const written: string[] = []
  const paths: Record<string, string> = {}
  try {
    for (const { entry, value, contentType } of files) {
      const path = isAbsolute(entry.path) ? entry.path : resolve(process.env.RUNNER_TEMP ?? process.cwd(), entry.path)
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
      writeFileSync(path, contentType === PKCS12 ? Buffer.from(value, 'base64') : value, { mode: 0o600 })
      chmodSync(path, 0o600) // an existing file keeps its mode on write
      written.push(path)
      paths[entry.text] = path
    }
  } catch (error) {
    removeFiles(written)
    throw new ActionError(`Input 'files': could not write a secret file: ${(error as Error).message}`)
  } finally {
    if (written.length > 0) core.saveState(State.WrittenFiles, JSON.stringify(written))
  }
  return paths
}

export function removeFiles(paths: readonly string[]): void {
  for (const path of paths) rmSync(path, { force: true })
}
