import { ActionError } from '../errors.js'
import { Inputs } from '../inputs/table.js'

/**
 * What later processes can start with. Every variable a step exports is in the environment of
 * every later step, the post steps included, so too much makes each of them fail to start (E2BIG
 * on Linux) and the files this step wrote are never removed. Checked before anything is exported.
 * - Linux: one string (NAME=value and its NUL) is at most MAX_ARG_STRLEN, 32 pages: 128 KiB.
 *   Environment and arguments together are at most ARG_MAX, usually 2 MiB (a quarter of the
 *   default 8 MiB stack), counting each string's pointer too. macOS's ARG_MAX is 1 MiB.
 * - Windows: a variable is at most 32,767 characters.
 */
export const EnvLimits = {
  /** Linux's MAX_ARG_STRLEN, in bytes, NUL included. */
  variableBytes: 128 * 1024,
  /** Windows, in UTF-16 code units, NUL included. */
  windowsVariableChars: 32_767,
  /**
   * The environment after the export, in bytes (strings, NULs and pointers): 1.5 MiB leaves 512 KiB
   * of the 2 MiB for a later step's arguments and the variables it adds; macOS gets half.
   */
  totalBytes: 1.5 * 1024 * 1024,
  macTotalBytes: 768 * 1024
} as const

/** What one NAME=value costs in an environment: its UTF-8 bytes, its NUL and its pointer. */
const costOf = (name: string, value: string): number => Buffer.byteLength(`${name}=${value}`) + 1 + 8

const kib = (bytes: number): string => `${Math.ceil(bytes / 1024)} KiB`

const Instead = `Write the values to files instead ('${Inputs.Files}', or '${Inputs.EnvFile}' for all of them in one file), or export fewer secrets.`

/**
 * Refuses, naming the variable or the total, exports that later processes could not start with.
 * `describe` names the secret behind a variable.
 */
export function checkEnvBudget(
  exported: Readonly<Record<string, string>>,
  environment: NodeJS.ProcessEnv,
  platform: NodeJS.Platform,
  describe: (name: string) => string
): void {
  for (const [name, value] of Object.entries(exported)) {
    const tooLong =
      platform === 'win32'
        ? `${name}=${value}`.length + 1 > EnvLimits.windowsVariableChars &&
          `${EnvLimits.windowsVariableChars.toLocaleString('en-US')} characters (Windows)`
        : Buffer.byteLength(`${name}=${value}`) + 1 > EnvLimits.variableBytes &&
          `${kib(EnvLimits.variableBytes)} (Linux)`
    if (tooLong)
      throw new ActionError(
        `Input '${Inputs.ExportEnv}': ${describe(name)} would be exported as ${name}, longer than a variable can be (${tooLong}): no later step could start with it. ${Instead} Nothing was exported.`
      )
  }
  const before = Object.entries(environment).filter(([name]) => !(name in exported))
  const total = [...before, ...Object.entries(exported)].reduce(
    (sum, [name, value]) => sum + costOf(name, value ?? ''),
    0
  )
  const limit = platform === 'darwin' ? EnvLimits.macTotalBytes : EnvLimits.totalBytes
  if (total > limit)
    throw new ActionError(
      `Input '${Inputs.ExportEnv}': the ${Object.keys(exported).length} variables it would export bring the environment of every later step to ${kib(total)}, ` +
        `more than later processes can start with (${kib(limit)} leaves room for their arguments; Linux allows about 2 MiB for both): each later step, and the post step that removes the secret files, would fail to start. ${Instead} Nothing was exported.`
    )
}
