import { State } from './constants.js'
import { run } from './main.js'

// The main step (action.yml `runs.main`). The post step has its own entry (post.ts); an action.yml
// that still runs this bundle as its post step finds the mark the main step leaves, and cleans up.
if (process.env[`STATE_${State.IsPost}`]) (await import('./cleanup.js')).cleanUp()
else await run()
