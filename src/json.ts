/**
 * Walks over parsed JSON without recursion. A vault's value decides the shape: 25 KiB of `[` nest
 * 25,000 levels, which a recursive walk (or JSON.stringify) cannot survive. JSON.parse itself
 * does not recurse in V8.
 */

/** A leaf and the object keys that lead to it. */
export interface JsonLeaf {
  readonly path: readonly string[]
  readonly node: unknown
}

/** A node on the walk's stack: its key and its parent's entry, so a path is built only for a leaf. */
interface Visit {
  readonly node: unknown
  readonly key?: string
  readonly parent?: Visit
}

const isObject = (node: unknown): node is Record<string, unknown> =>
  typeof node === 'object' && node !== null && !Array.isArray(node)

/**
 * The leaves of an object, in document order: every value that is not an object (an array is a
 * leaf of its own), with the keys that lead to it. An empty object has no leaf.
 */
export function objectLeaves(root: unknown): JsonLeaf[] {
  const leaves: JsonLeaf[] = []
  const stack: Visit[] = [{ node: root }]
  while (stack.length > 0) {
    const visit = stack.pop() as Visit
    if (!isObject(visit.node)) {
      leaves.push({ path: pathOf(visit), node: visit.node })
      continue
    }
    // Reversed onto the stack, so the first key comes off first.
    const entries = Object.entries(visit.node)
    for (let index = entries.length - 1; index >= 0; index--) {
      const [key, node] = entries[index] as [string, unknown]
      stack.push({ node, key, parent: visit })
    }
  }
  return leaves
}

function pathOf(visit: Visit): string[] {
  const path: string[] = []
  for (let at: Visit | undefined = visit; at?.key !== undefined; at = at.parent) path.push(at.key)
  return path.reverse()
}

/** Every string in a parsed JSON value, at any depth, in document order. */
export function jsonStrings(root: unknown): string[] {
  const strings: string[] = []
  const stack: unknown[] = [root]
  while (stack.length > 0) {
    const node = stack.pop()
    if (typeof node === 'string') strings.push(node)
    else if (typeof node === 'object' && node !== null) {
      const children = Object.values(node)
      for (let index = children.length - 1; index >= 0; index--) stack.push(children[index])
    }
  }
  return strings
}

/** How deeply a parsed JSON value nests (a scalar is 0, `[]` and `{}` are 1), without recursion. */
export function jsonDepth(root: unknown): number {
  let deepest = 0
  const stack: { readonly node: unknown; readonly depth: number }[] = [{ node: root, depth: 0 }]
  while (stack.length > 0) {
    const { node, depth } = stack.pop() as { node: unknown; depth: number }
    if (typeof node !== 'object' || node === null) continue
    deepest = Math.max(deepest, depth + 1)
    for (const child of Object.values(node)) stack.push({ node: child, depth: depth + 1 })
  }
  return deepest
}
