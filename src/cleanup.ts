import * as core from '@actions/core'
import { State } from './constants.js'
import { quote } from './errors.js'
import { parseWrittenFiles, removeIfOurs } from './files.js'

/**
 * The post step: removes the secret files the main step created, and only those. A file that was
 * replaced, became a link or is gone is left with a warning; a removal the OS refuses fails the step.
 */
export function cleanUp(): void {
  const { files, malformed } = parseWrittenFiles(core.getState(State.WrittenFiles))
  if (malformed > 0) {
    core.warning(
      `Ignored ${malformed} unreadable record(s) in the state ${quote(State.WrittenFiles)} (each should be a path with its device and inode): nothing was removed for them.`
    )
  }
  let removed = 0
  const failures: string[] = []
  for (const file of files) {
    try {
      const left = removeIfOurs(file)
      if (left) core.warning(left)
      else removed++
    } catch (error) {
      failures.push((error as Error).message)
    }
  }
  if (removed > 0) core.info(`Removed ${removed} secret file(s).`)
  if (failures.length > 0) core.setFailed(`Could not remove the secret files: ${failures.join('; ')}`)
}
