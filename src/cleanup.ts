import { EOL } from 'node:os'
import { State } from './constants.js'
import { quote } from './text.js'
import { parseWrittenFiles, removeIfOurs } from './writtenFiles.js'

/**
 * The post step: removes the secret files the main step created, and only those. A file that was
 * replaced, became a link or is gone is left with a warning; a removal the OS refuses fails the step.
 *
 * It needs nothing but the state and the files, so it loads nothing but Node's fs: the state is the
 * STATE_<name> variables the runner sets for the post step (what core.getState reads), and the
 * three lines it may print are workflow commands, escaped as @actions/core escapes them.
 */
export function cleanUp(env: NodeJS.ProcessEnv = process.env): void {
  const { files, malformed } = parseWrittenFiles(env[`STATE_${State.WrittenFiles}`] ?? '')
  if (malformed > 0) {
    command(
      'warning',
      `Ignored ${malformed} unreadable record(s) in the state ${quote(State.WrittenFiles)} (each should be a path with its device and inode): nothing was removed for them.`
    )
  }
  let removed = 0
  const failures: string[] = []
  for (const file of files) {
    try {
      const left = removeIfOurs(file)
      if (left) command('warning', left)
      else removed++
    } catch (error) {
      failures.push((error as Error).message)
    }
  }
  if (removed > 0) process.stdout.write(`Removed ${removed} secret file(s).${EOL}`)
  if (failures.length > 0) {
    process.exitCode = 1
    command('error', `Could not remove the secret files: ${failures.join('; ')}`)
  }
}

/** `::warning::message`, as core.warning prints it: % CR LF escaped, so the message stays one command. */
function command(name: 'warning' | 'error', message: string): void {
  const escaped = message.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
  process.stdout.write(`::${name}::${escaped}${EOL}`)
}
