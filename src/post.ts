// The post step's entry (action.yml `runs.post`): only the removal of the secret files, so it
// starts as fast as Node does (see cleanup.ts). The main step's bundle is never loaded here.
import { cleanUp } from './cleanup.js'

cleanUp()
