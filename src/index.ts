import { run } from './main.js'

// The main step (action.yml `runs.main`), and nothing else: the post step has its own entry
// (postEntry.ts). No variable decides which of the two runs here, so no line an earlier step writes to
// GITHUB_ENV (`STATE_isPost=true`) can turn the main step into a no-op.
await run()
