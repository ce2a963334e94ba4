import { ActionError } from '../errors.js'
import { quote } from '../text.js'
import { AttributeLimits } from './attributes.js'
import { readText } from './read.js'
import { InputTable, Inputs } from './table.js'

/** One line of `match-tags`: a tag the secret must carry, with exactly `value`, or with any value when it is absent. */
export interface TagCondition {
  readonly key: string
  readonly value?: string
}

/** `match-tags`: every condition must hold (keys and values compared exactly). */
export type TagFilter = readonly TagCondition[]

const Accepted =
  `one tag a line: \`key=value\` (the tag with exactly that value; \`key=\` an empty one) or \`key\` alone (the tag with any value), ` +
  `keys and values of at most ${AttributeLimits.tagLength} characters, at most ${AttributeLimits.tags} lines (a secret carries at most ${AttributeLimits.tags} tags)`

/**
 * `match-tags` as written: one `key=value` or `key` a line; blank lines and lines starting with `#`
 * are skipped, and spaces around a line and around its first `=` are not part of the key or value
 * (as in `tags`, so what `set` stored is matched). Bounded by Key Vault's own limits: a longer key or
 * value, or more lines than a secret has tags, could never match.
 */
export function parseMatchTags(raw: string): TagFilter {
  const lines = raw
    .split(/\r\n|\r|\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
  const malformed = (line: string, why: string): ActionError =>
    new ActionError(`Input '${Inputs.MatchTags}' has a malformed line ${quote(line)}: ${why}. Accepted: ${Accepted}.`)
  if (lines.length > AttributeLimits.tags)
    throw new ActionError(
      `Input '${Inputs.MatchTags}' has ${lines.length} lines; a secret carries at most ${AttributeLimits.tags} tags, so no secret could match them all. Accepted: ${Accepted}.`
    )
  const filter: TagCondition[] = []
  for (const line of lines) {
    const equals = line.indexOf('=')
    const key = (equals < 0 ? line : line.slice(0, equals)).trim()
    const value = equals < 0 ? undefined : line.slice(equals + 1).trim()
    if (key === '') throw malformed(line, 'it has no key before =')
    if (/\p{Cc}/u.test(line)) throw malformed(line, 'it has a control character')
    if (key.length > AttributeLimits.tagLength || (value?.length ?? 0) > AttributeLimits.tagLength)
      throw malformed(line, `Key Vault's tag keys and values are at most ${AttributeLimits.tagLength} characters`)
    if (filter.some((condition) => condition.key === key))
      throw malformed(line, `it names the key ${quote(key)} again; a secret has one value for each key`)
    filter.push(value === undefined ? { key } : { key, value })
  }
  return filter
}

/**
 * `match-tags`, read before any request: undefined when not given (or only comments). It narrows globs only, so a step
 * without one (`hasGlob` false) is refused rather than left to find out that the filter did nothing.
 */
export function readMatchTags(hasGlob: boolean, operation: 'get' | 'list'): TagFilter | undefined {
  const raw = readText(InputTable.MatchTags)
  if (!raw) return undefined
  const filter = parseMatchTags(raw)
  // Every line commented out: no filter, as `tags` with only comments sets no tag.
  if (filter.length === 0) return undefined
  if (!hasGlob)
    throw new ActionError(
      `Input '${Inputs.MatchTags}' narrows what globs match, and this step has no glob: names written exactly are ${operation === 'get' ? 'read' : 'listed'} whatever their tags. ` +
        (operation === 'get'
          ? `Give a glob in '${Inputs.Secrets}' (such as app-* or *), or remove '${Inputs.MatchTags}'.`
          : `Give a glob in '${Inputs.Secrets}' (such as app-*), leave '${Inputs.Secrets}' out to filter every secret, or remove '${Inputs.MatchTags}'.`)
    )
  return filter
}

/**
 * Whether a secret's tags, as the vault's listing carries them, hold every condition. The listing is
 * the vault's answer, not trusted: tags that are not an object, a tag that is not a string and a key
 * only inherited (`constructor`) never match, and nothing of them is printed.
 */
export function carriesTags(filter: TagFilter, tags: unknown): boolean {
  if (typeof tags !== 'object' || tags === null || Array.isArray(tags)) return false
  return filter.every(({ key, value }) => {
    if (!Object.hasOwn(tags, key)) return false
    const given: unknown = (tags as Record<string, unknown>)[key]
    return typeof given === 'string' && (value === undefined || given === value)
  })
}
