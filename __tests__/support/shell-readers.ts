/**
 * An env file as shell scripts read it: `set -a; . ./app.env` in real bash and dash (Debian's and
 * Ubuntu's sh; macOS has /bin/dash too), each in a clean environment (only PATH). What the shell
 * got comes back through `printf '%s\0'`, byte for byte, so the tests compare exactly.
 */
import { spawnSync } from 'node:child_process'

export const Shells = ['bash', 'dash'] as const
export type Shell = (typeof Shells)[number]

/** What one shell made of the file: the variables asked for that it set, its exit status and stderr. */
export interface ShellReading {
  readonly shell: Shell
  readonly values: Record<string, string>
  readonly status: number | null
  readonly stderr: string
}

const ShellName = /^[A-Za-z_][A-Za-z0-9_]*$/

/**
 * Sources `file` (an absolute path) with `shell` in `cwd`, then prints each of `names`: `=value`
 * when set, nothing when unset (`${NAME+=}`), so an unset variable is told from an empty one.
 */
export function sourceWith(shell: Shell, file: string, names: readonly string[], cwd: string): ShellReading {
  for (const name of names) if (!ShellName.test(name)) throw new Error(`not a shell variable name: ${name}`)
  const print =
    names.length === 0 ? '' : `printf '%s\\0' ${names.map((name) => `"\${${name}+=}\${${name}-}"`).join(' ')}`
  const result = spawnSync(shell, ['-c', `set -a; . "$1" || exit 99; ${print}`, 'env-file-reader', file], {
    cwd,
    // stdin not a socket: Debian's bash sources ~/.bashrc when stdin is one and SHLVL is unset (as under sshd).
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    timeout: 30_000
  })
  if (result.error) throw new Error(`${shell} could not run: ${result.error.message}`)
  const printed = result.stdout.toString('utf8').split('\0')
  const values: Record<string, string> = {}
  names.forEach((name, index) => {
    const got = printed[index] ?? ''
    if (got.startsWith('=')) values[name] = got.slice(1)
  })
  return { shell, values, status: result.status, stderr: result.stderr.toString('utf8') }
}
