// Post step: runs after the post steps of every later step of the job.
import { existsSync } from 'node:fs'

const paths = (process.env.INPUT_PATHS ?? '').split(/\r?\n/).filter((line) => line.trim() !== '')
const left = paths.filter((path) => existsSync(path.trim()))
for (const path of paths) console.log(`${left.includes(path) ? 'still there' : 'gone       '}  ${path}`)
if (paths.length === 0 || left.length > 0) {
  console.log(`::error::${paths.length === 0 ? 'No paths given.' : `Not removed by the post step: ${left.join(', ')}`}`)
  process.exitCode = 1
}
