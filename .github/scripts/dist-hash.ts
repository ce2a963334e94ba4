/**
 * Ties dist/ to what it was built from, so that a stale bundle is never what the tests run.
 *
 * - `node .github/scripts/dist-hash.ts write` (the last step of `npm run bundle`) writes
 *   dist/build-inputs.sha256: a SHA-256 of every file under src/ (path and content), package-lock.json,
 *   tsconfig.json, the bundle's finishing script and the `bundle` script of package.json.
 * - `node .github/scripts/dist-hash.ts check` (`pretest`, `pretest:e2e`) computes it again and fails
 *   with "dist/ is stale: run npm run bundle" when it differs. It reads a few hundred kilobytes and
 *   takes well under a second; it does not prove that the bundle's bytes are right (.ci/run and the
 *   check-dist workflow rebuild and compare), only that nothing it was built from changed since.
 *
 * Runs with Node's own type stripping: no dependencies, no build.
 */
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..')
export const HashFile = join('dist', 'build-inputs.sha256')
const FinishScript = '.github/scripts/finish-bundle.mjs'

function filesUnder(dir: string): string[] {
  return readdirSync(join(root, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)).split(sep).join('/'))
}

/** The hash of everything the bundle is built from, in a fixed order. */
export function inputsHash(): string {
  const hash = createHash('sha256')
  const add = (label: string, content: string | Buffer): void => {
    hash.update(`${label}\0${content.length}\0`)
    hash.update(content)
  }
  // Line endings are normalised so that a checkout with CRLF (Windows, autocrlf) hashes the same.
  for (const file of [...filesUnder('src'), 'package-lock.json', 'tsconfig.json', FinishScript].sort())
    add(file, readFileSync(join(root, file), 'utf8').replaceAll('\r\n', '\n'))
  const scripts = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts?: Record<string, string> })
    .scripts
  add('package.json scripts.bundle', scripts?.bundle ?? '')
  return hash.digest('hex')
}

const command = process.argv[2]
if (command === 'write') {
  writeFileSync(join(root, HashFile), `${inputsHash()}\n`)
} else if (command === 'check') {
  let recorded = ''
  try {
    recorded = readFileSync(join(root, HashFile), 'utf8').trim()
  } catch {
    // No hash file: dist/ predates this check, or was not built by `npm run bundle`.
  }
  if (recorded !== inputsHash()) {
    console.error(
      `dist/ is stale: run npm run bundle (src/, package-lock.json, tsconfig.json or the bundle command changed since dist/ was built; ${HashFile} records them).`
    )
    process.exitCode = 1
  }
} else {
  console.error('usage: node .github/scripts/dist-hash.ts write|check')
  process.exitCode = 2
}
