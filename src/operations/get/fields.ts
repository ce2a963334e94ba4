import { ActionError } from '../../errors.js'
import { quote } from '../../text.js'
import { Inputs } from '../../inputs/table.js'
import { jsonDepth, objectLeaves } from '../../json.js'

/**
 * One leaf of a JSON value, by its keys: a number selects an array element (or an object key of
 * that name). A value that is not JSON, a key that is not there, or a field that is an object or
 * an array is an error naming the entry and the path, never quoting the value.
 */
export function selectField(
  value: string,
  field: readonly string[],
  where: { readonly name: string; readonly entry: string; readonly input: string }
): string {
  const path = field.join('.')
  let node: unknown
  try {
    node = JSON.parse(value)
  } catch {
    throw new ActionError(
      `Input '${where.input}', entry ${quote(where.entry)}: secret '${where.name}' is not JSON, so the field ${quote(path)} cannot be read from it. Name the secret without '#${path}' to read its whole value.`
    )
  }
  for (const [index, key] of field.entries()) {
    const here = field.slice(0, index + 1).join('.')
    const child =
      Array.isArray(node) && /^\d+$/.test(key)
        ? (node as unknown[])[Number(key)]
        : typeof node === 'object' && node !== null && Object.prototype.hasOwnProperty.call(node, key)
          ? (node as Record<string, unknown>)[key]
          : undefined
    if (child === undefined)
      throw new ActionError(
        `Input '${where.input}', entry ${quote(where.entry)}: secret '${where.name}' has no field ${quote(here)}${here === path ? '' : ` (on the way to ${quote(path)})`}.`
      )
    node = child
  }
  if (typeof node === 'object' && node !== null)
    throw new ActionError(
      `Input '${where.input}', entry ${quote(where.entry)}: the field ${quote(path)} of secret '${where.name}' is ${Array.isArray(node) ? 'an array' : 'an object'}, not a value. Select one of its fields (${quote(`${path}.<key>`)}).`
    )
  return typeof node === 'string' ? node : node === null ? '' : JSON.stringify(node)
}

export interface Leaf {
  readonly path: string[]
  readonly value: string
}

/**
 * Each leaf is named by its path of keys, so `parse-json` takes values that nest this deep at most
 * (a config nests a few levels); deeper, the names would be the vault's runaway text.
 */
export const MaxParsedJsonDepth = 32

/**
 * The leaves of a JSON object value, or undefined when the value is not a JSON object or has no
 * leaf ({}). Nesting deeper than MaxParsedJsonDepth is an error naming the secret.
 */
export function jsonLeaves(value: string, secretName: string): Leaf[] | undefined {
  let parsed: unknown
  try {
    parsed = JSON.parse(value)
  } catch {
    return undefined
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined
  if (jsonDepth(parsed) > MaxParsedJsonDepth)
    throw new ActionError(
      `Input '${Inputs.ParseJson}': secret '${secretName}' is JSON nested more than ${MaxParsedJsonDepth} levels deep, and '${Inputs.ParseJson}' names each value by its path of keys. ` +
        `Read it without '${Inputs.ParseJson}' (whole), or select one field with '${secretName}#key.path' in '${Inputs.Secrets}'.`
    )
  const leaves = objectLeaves(parsed).map(({ path, node }) => ({
    path: [...path],
    value: typeof node === 'string' ? node : node === null ? '' : JSON.stringify(node)
  }))
  // An object without leaves would publish nothing at all: it passes through unchanged instead.
  return leaves.length > 0 ? leaves : undefined
}
