import * as core from '@actions/core'
import { cleanUp } from './cleanup.js'
import { State } from './constants.js'
import { run } from './main.js'

// One bundle serves both steps of action.yml: the main step leaves a mark for the post step.
if (core.getState(State.IsPost)) cleanUp()
else await run()
