/**
 * How values and words are written into messages. Imports nothing: any module may use it, from
 * the inputs to the failure explanations.
 */

/**
 * Quotes a (non-secret) value for a message: one a user gave, or a name a vault sent. Shortened
 * if it is long; control and format characters shown escaped (\n, \t, \u202e), so it stays one
 * line that shows what is really there.
 */
export function quote(value: string): string {
  const shown = value.length > 80 ? `${value.slice(0, 77)}...` : value
  return `'${shown.replace(/[\p{Cc}\p{Cf}]/gu, escapeChar)}'`
}

const NamedEscapes: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' }
const escapeChar = (char: string): string =>
  NamedEscapes[char] ?? `\\u${(char.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`

/**
 * Text from a service or library as a message may quote it: its first line, without control or
 * format characters, at most 400 characters (a vault once answered with an 8 MB message).
 */
export function serviceText(text: string | undefined): string {
  const line = (text ?? '').split(/\r?\n|\r/)[0] ?? ''
  const clean = line.replace(/[\p{Cc}\p{Cf}]/gu, '').trim()
  return clean.length > MAX_QUOTED ? `${clean.slice(0, MAX_QUOTED - 1)}…` : clean
}

const MAX_QUOTED = 400

/** `9.2 s` under ten seconds, `41 s` from ten on. */
export const formatSeconds = (ms: number): string => `${Number((ms / 1000).toFixed(ms < 10_000 ? 1 : 0))} s`

/** A count with its noun: `1 retry`, `4 retries`, `2 requests` (`many` defaults to `one` + s). */
export const plural = (count: number, one: string, many = `${one}s`): string => `${count} ${count === 1 ? one : many}`

export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}
