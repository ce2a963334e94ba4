/**
 * The post step under `npm run local-action` (@github/local-action): src/post.ts's `run`, handed the
 * state the main step saved. On a runner that state arrives as STATE_<name> variables, which
 * post.ts reads without loading @actions/core; local-action keeps what the main step's
 * `core.saveState` saved in memory, where only its stub of `core.getState` reads it. Never bundled.
 */
import * as core from '@actions/core'
import { State } from '../../src/constants.js'
import { run as post } from '../../src/post.js'

export function run(): void {
  post({ ...process.env, [`STATE_${State.WrittenFiles}`]: core.getState(State.WrittenFiles) })
}
