/**
 * Ties dist/ to what it was built from, so that a stale bundle is never what the tests run.
 *
 * - `node .github/scripts/dist-hash.ts write` (the last step of `npm run bundle`) writes
 *   dist/build-inputs.sha256: a SHA-256 of every file under src/ and .github/unbundled/ (the shims
 *   that package.json's `overrides` put in place of undici and jsonwebtoken), package-lock.json,
 *   tsconfig.json, the bundle's finishing script (path and content of each) and the `bundle` script of
 *   package.json. `unit/tooling.test.ts` checks that a change to any of them changes the hash.
 * - `node .github/scripts/dist-hash.ts check` (`pretest`, `pretest:e2e`) computes it again and fails
 *   with "dist/ is stale: run npm run bundle" when it differs. It reads a few hundred kilobytes and
 *   takes well under a second; it does not prove that the bundle's bytes are right (.ci/run and the
 *   check-dist workflow rebuild and compare), only that nothing it was built from changed since.
 *
 * Runs with Node's own type stripping: no dependencies, no build.
 */
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

const repoRoot = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..')
export const HashFile = join('dist', 'build-inputs.sha256')

/** What the bundle is built from, besides the `bundle` script: every file under the folders, and the files. */
export const BundleInputs = {
  folders: ['src', '.github/unbundled'],
  files: ['package-lock.json', 'tsconfig.json', '.github/scripts/finish-bundle.mjs']
} as const

function filesUnder(root: string, dir: string): string[] {
  return readdirSync(join(root, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)).split(sep).join('/'))
}

/** Every file the hash covers, relative to the root, with `/`, sorted. */
export function inputFiles(root: string = repoRoot): string[] {
  return [...BundleInputs.folders.flatMap((dir) => filesUnder(root, dir)), ...BundleInputs.files].sort()
}

/** The hash of everything the bundle is built from, in a fixed order. */
export function inputsHash(root: string = repoRoot): string {
  const hash = createHash('sha256')
  const add = (label: string, content: string | Buffer): void => {
    hash.update(`${label}\0${content.length}\0`)
    hash.update(content)
  }
  // Line endings are normalised so that a checkout with CRLF (Windows, autocrlf) hashes the same.
  for (const file of inputFiles(root)) add(file, readFileSync(join(root, file), 'utf8').replaceAll('\r\n', '\n'))
  const scripts = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts?: Record<string, string> })
    .scripts
  add('package.json scripts.bundle', scripts?.bundle ?? '')
  return hash.digest('hex')
}

function main(command: string | undefined): void {
  if (command === 'write') {
    writeFileSync(join(repoRoot, HashFile), `${inputsHash()}\n`)
  } else if (command === 'check') {
    let recorded = ''
    try {
      recorded = readFileSync(join(repoRoot, HashFile), 'utf8').trim()
    } catch {
      // No hash file: dist/ predates this check, or was not built by `npm run bundle`.
    }
    if (recorded !== inputsHash()) {
      console.error(
        `dist/ is stale: run npm run bundle (src/, .github/unbundled/, package-lock.json, tsconfig.json, the finishing script or the bundle command changed since dist/ was built; ${HashFile} records them).`
      )
      process.exitCode = 1
    }
  } else {
    console.error('usage: node .github/scripts/dist-hash.ts write|check')
    process.exitCode = 2
  }
}

// Run as a script, not when a test imports it.
if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main(process.argv[2])
