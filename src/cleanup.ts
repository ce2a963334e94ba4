import * as core from '@actions/core'
import { State } from './constants.js'
import { removeFiles } from './files.js'

/** The post step: removes every secret file the main step wrote. */
export function cleanUp(): void {
  try {
    const state = core.getState(State.WrittenFiles)
    const paths = state ? (JSON.parse(state) as string[]) : []
    removeFiles(paths)
    if (paths.length > 0) core.info(`Removed ${paths.length} secret file(s).`)
  } catch (error) {
    core.setFailed(`Could not remove the secret files: ${(error as Error).message}`)
  }
}
