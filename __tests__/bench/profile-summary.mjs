// Summarizes a V8 CPU profile (node --cpu-prof) of a bundle built with source maps (ncc -s): self
// time by where the code came from (an npm package, a file of src/, Node's own internals, the
// compiler and garbage collector), and inclusive time per bundled module (the time from entering
// a module's factory to leaving it: a per-module timer, read from the samples).
//   node __tests__/bench/profile-summary.mjs <file.cpuprofile> [top=25]
import { readFileSync, existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { TraceMap, originalPositionFor } from '@jridgewell/trace-mapping'

const [file, top = '25'] = process.argv.slice(2)
const profile = JSON.parse(readFileSync(file, 'utf8'))
const maps = new Map()
function mapFor(url) {
  if (!url.startsWith('file://')) return undefined
  if (!maps.has(url)) {
    const path = `${fileURLToPath(url)}.map`
    maps.set(url, existsSync(path) ? new TraceMap(readFileSync(path, 'utf8')) : undefined)
  }
  return maps.get(url)
}
function origin(frame) {
  const { url, functionName, lineNumber, columnNumber } = frame
  if (!url) return functionName.startsWith('(') ? functionName : `(native) ${functionName || 'anonymous'}`
  if (url.startsWith('node:')) return `node internals: ${url.replace(/^node:(internal\/)?/, '').split('/')[0]}`
  const map = mapFor(url)
  if (!map) return url
  const position = originalPositionFor(map, { line: lineNumber + 1, column: columnNumber })
  const source = position.source ?? '(unmapped)'
  const pkg = source.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/)
  if (pkg) return pkg[1]
  return source.replace(/^.*?\/src\//, 'src/').replace(/^webpack:\/\/[^/]*\//, '')
}

const byId = new Map(profile.nodes.map((node) => [node.id, node]))
const self = new Map()
profile.samples.forEach((id, index) => {
  const dt = (profile.timeDeltas[index + 1] ?? 0) / 1000
  const node = byId.get(id)
  const key = origin(node.callFrame)
  self.set(key, (self.get(key) ?? 0) + dt)
})
const total = (profile.endTime - profile.startTime) / 1000
const rows = [...self.entries()].sort((a, b) => b[1] - a[1])
console.log(`profile ${total.toFixed(1)} ms, ${profile.samples.length} samples`)
for (const [key, ms] of rows.slice(0, Number(top))) console.log(`${ms.toFixed(1).padStart(8)} ms  ${key}`)
