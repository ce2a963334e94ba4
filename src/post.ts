import { cleanUp } from './cleanup.js'

/**
 * The post step (action.yml `runs.post`, through postEntry.ts): only the removal of the secret
 * files, so it starts as fast as Node does (see cleanup.ts). The main step's bundle is never loaded
 * here. Exported, as main.ts's `run` is, so that `@github/local-action` can run it too.
 */
export function run(env: NodeJS.ProcessEnv = process.env): void {
  cleanUp(env)
}
