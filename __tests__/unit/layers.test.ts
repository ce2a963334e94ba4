import { describe, expect, it } from '@jest/globals'
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'

/*
 * The layers of src/, top to bottom: a file imports only from its own layer or the layers below,
 * and nothing imports in a circle, type-only and dynamic imports included. A new top-level file
 * or folder must be placed here (the test fails until it is).
 */
const Layers: readonly (readonly string[])[] = [
  ['index.ts', 'postEntry.ts', 'post.ts'],
  ['main.ts'],
  ['failures/', 'summary.ts'],
  ['operations/'],
  ['publish/', 'files.ts', 'cleanup.ts', 'masking.ts', 'expiry.ts', 'github/', 'auth/', 'vault/', 'certificates/'],
  ['inputs/'],
  [
    'text.ts',
    'constants.ts',
    'errors.ts',
    'clouds.ts',
    'concurrency.ts',
    'decoding.ts',
    'envFile.ts',
    'envNames.ts',
    'json.ts',
    'logging.ts',
    'realPaths.ts',
    'writeRecord.ts',
    'writtenFiles.ts'
  ]
]

const src = resolve('src')

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name)
    if (entry.isDirectory()) return sourceFiles(path)
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [relative(src, path)] : []
  })
}

// Static imports and re-exports (`import type` too) and dynamic `import('...')`, relative ones only.
const ImportPattern = /\b(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g

function importsOf(file: string): string[] {
  const text = readFileSync(join(src, file), 'utf8')
  return [...text.matchAll(ImportPattern)].map((match) =>
    relative(src, resolve(src, dirname(file), (match[1] ?? '').replace(/\.js$/, '.ts')))
  )
}

const unitOf = (file: string): string => (file.includes('/') ? `${file.split('/')[0]}/` : file)
const layerOf = (file: string): number => Layers.findIndex((layer) => layer.includes(unitOf(file)))

/** Every cycle's files, by Tarjan's strongly connected components. */
function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const found: string[][] = []
  const visit = (node: string): void => {
    index.set(node, index.size)
    low.set(node, index.get(node) ?? 0)
    stack.push(node)
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next)
        low.set(node, Math.min(low.get(node) ?? 0, low.get(next) ?? 0))
      } else if (stack.includes(next)) low.set(node, Math.min(low.get(node) ?? 0, index.get(next) ?? 0))
    }
    if (low.get(node) !== index.get(node)) return
    const component: string[] = []
    for (let top = stack.pop(); top !== undefined; top = top === node ? undefined : stack.pop()) component.push(top)
    if (component.length > 1 || (graph.get(node) ?? []).includes(node)) found.push(component)
  }
  for (const node of graph.keys()) if (!index.has(node)) visit(node)
  return found
}

describe('the layers of src/', () => {
  const files = sourceFiles(src)
  const graph = new Map(files.map((file) => [file, importsOf(file)]))

  it('places every file of src/ in a layer', () => {
    expect(files.filter((file) => layerOf(file) === -1)).toEqual([])
    expect(files.length).toBeGreaterThan(60)
  })

  it('imports only from its own layer or below', () => {
    const upward = [...graph].flatMap(([file, imports]) =>
      imports.filter((target) => layerOf(target) < layerOf(file)).map((target) => `${file} -> ${target}`)
    )
    expect(upward).toEqual([])
  })

  it('imports only files that exist', () => {
    const missing = [...graph].flatMap(([file, imports]) =>
      imports.filter((target) => !graph.has(target)).map((target) => `${file} -> ${target}`)
    )
    expect(missing).toEqual([])
  })

  it('has no import cycle, type-only and dynamic imports included', () => {
    expect(cycles(graph)).toEqual([])
  })

  it('finds a cycle and an upward import when there is one', () => {
    expect(
      cycles(
        new Map([
          ['a', ['b']],
          ['b', ['c']],
          ['c', ['a']],
          ['d', ['a']]
        ])
      ).map((c) => c.sort())
    ).toEqual([['a', 'b', 'c']])
    expect(layerOf('inputs/table.ts')).toBeGreaterThan(layerOf('operations/get/index.ts'))
    expect(importsOf('main.ts')).toContain('failures/index.ts')
  })
})
