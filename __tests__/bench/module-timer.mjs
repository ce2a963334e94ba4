// A per-module timer for a bundle built with source maps (ncc -s): writes <dist>/index.timed.js,
// a copy of <dist>/index.js whose module loader times each module's factory, and, after a run of
// it, sums the times by where each module came from (an npm package or a file of src/).
//   node __tests__/bench/module-timer.mjs instrument <dist>       -> prints the path to run
//   MODULE_TIMES=<file> node ... <dist>/index.timed.js            (the run: writes the times)
//   node __tests__/bench/module-timer.mjs report <dist> <file> [top=25]
// Exclusive time: the factory's own run, without the modules it required (so they sum to the
// total); a module loaded from a chunk is counted when its factory runs.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { TraceMap, originalPositionFor } from '@jridgewell/trace-mapping'

const [command, dist, file, top = '25'] = process.argv.slice(2)
const CALL = 't[e].call(o.exports,o,o.exports,__nccwpck_require__)'

if (command === 'instrument') {
  const source = readFileSync(join(dist, 'index.js'), 'utf8').replace(/^import '\.\/sourcemap-register\.cjs';/, '')
  const call = source.match(/(\w)\[(\w)\]\.call\((\w)\.exports,\3,\3\.exports,__nccwpck_require__\)/)
  if (!call) throw new Error(`no module call like ${CALL} in ${dist}/index.js`)
  const [text, modules, id, module] = call
  const timed =
    `{const __t=globalThis.__moduleTimes??=(()=>{const m={times:[],stack:[]};process.on('exit',()=>require('node:fs').writeFileSync(process.env.MODULE_TIMES,JSON.stringify(m.times)));return m})();` +
    `const __s=performance.now();__t.stack.push(0);try{${text}}finally{const __d=performance.now()-__s;const __c=__t.stack.pop();` +
    `__t.times.push([${id},__d,__d-__c]);if(__t.stack.length)__t.stack[__t.stack.length-1]+=__d}}`
  void modules
  void module
  const out = source.replace(text, timed)
  // The bundle is ESM: `require` for the exit hook comes from createRequire, which it already imports.
  const patched = `import{createRequire as __cr}from"module";const require=__cr(import.meta.url);${out}`
  writeFileSync(join(dist, 'index.timed.js'), patched)
  console.log(join(dist, 'index.timed.js'))
} else if (command === 'report') {
  const names = new Map()
  for (const bundle of ['index.js', ...readdirChunks(dist)]) {
    const code = readFileSync(join(dist, bundle), 'utf8')
    const map = new TraceMap(readFileSync(join(dist, `${bundle}.map`), 'utf8'))
    const lines = code.split('\n')
    lines.forEach((line, lineIndex) => {
      for (const match of line.matchAll(/[{,](\d+)(?::(?:function\(|\(|\w=>|async)|\()/g)) {
        if (names.has(Number(match[1]))) continue
        // The first mapped position in the factory that is not webpack's runtime names the module
        // (a concatenated ES module is named by its first file).
        const start = (match.index ?? 0) + match[0].length
        for (let column = start; column < Math.min(start + 20_000, line.length); column += 10) {
          const { source } = originalPositionFor(map, { line: lineIndex + 1, column })
          if (source && !/webpack/.test(source)) {
            names.set(Number(match[1]), source)
            break
          }
        }
      }
    })
  }
  const where = (id) => {
    const source = names.get(id) ?? `module ${id}`
    const pkg = source.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/)
    return pkg ? pkg[1] : source.replace(/^.*?\/src\//, 'src/')
  }
  const times = JSON.parse(readFileSync(file, 'utf8'))
  const byOrigin = new Map()
  for (const [id, , exclusive] of times) byOrigin.set(where(id), (byOrigin.get(where(id)) ?? 0) + exclusive)
  const total = [...byOrigin.values()].reduce((a, b) => a + b, 0)
  console.log(`${times.length} modules, ${total.toFixed(1)} ms in their factories`)
  for (const [key, ms] of [...byOrigin.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(top)))
    console.log(`${ms.toFixed(1).padStart(8)} ms  ${key}`)
} else {
  console.error('usage: module-timer.mjs instrument <dist> | report <dist> <times.json> [top]')
  process.exit(2)
}

function readdirChunks(dir) {
  return readdirSync(dir).filter((name) => /^\d+\.index\.js$/.test(name))
}
import { readdirSync } from 'node:fs'
