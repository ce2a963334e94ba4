import { describe, expect, test } from '@jest/globals'
import fc from 'fast-check'
import { propertyOptions } from '../support/arbitraries.js'
import { jsonDepth, jsonStrings, objectLeaves } from '../../src/json.js'

/** The recursive walks these replace, as the reference on shallow values. */
function recursiveLeaves(node: unknown, path: string[] = []): { path: string[]; node: unknown }[] {
  if (typeof node === 'object' && node !== null && !Array.isArray(node))
    return Object.entries(node).flatMap(([key, child]) => recursiveLeaves(child, [...path, key]))
  return [{ path, node }]
}
function recursiveStrings(node: unknown): string[] {
  if (typeof node === 'string') return [node]
  if (typeof node === 'object' && node !== null) return Object.values(node).flatMap(recursiveStrings)
  return []
}

describe('walks without recursion', () => {
  test('objectLeaves and jsonStrings find what a recursive walk finds, in the same order', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
        const leaves = objectLeaves(value)
        const expected =
          typeof value === 'object' && value !== null && !Array.isArray(value)
            ? recursiveLeaves(value)
            : [{ path: [], node: value }]
        expect(leaves).toEqual(expected)
        expect(jsonStrings(value)).toEqual(recursiveStrings(value))
      }),
      propertyOptions(300)
    )
  })

  test('25,000 levels of nesting (25 KiB of a value) are walked, and measured', () => {
    const arrays = JSON.parse(`${'['.repeat(25_000)}"deep"${']'.repeat(25_000)}`) as unknown
    expect(jsonStrings(arrays)).toEqual(['deep'])
    expect(jsonDepth(arrays)).toBe(25_000)
    const objects = JSON.parse(`${'{"a":'.repeat(5_000)}"x"${'}'.repeat(5_000)}`) as unknown
    const [leaf] = objectLeaves(objects)
    expect(leaf?.path).toHaveLength(5_000)
    expect(leaf?.node).toBe('x')
  })

  test.each([
    ['"x"', 0],
    ['[]', 1],
    ['{}', 1],
    ['{"a":[1,{"b":2}]}', 3]
  ])('the depth of %s is %d', (text, depth) => {
    expect(jsonDepth(JSON.parse(text))).toBe(depth)
  })
})
