/**
 * `env-file`: every variable of the step in one file. How a value is written in the dotenv format
 * is decided here, by pure functions, against what the dotenv package's parser reads back (the
 * property test in __tests__/unit/envFile.test.ts holds the rules to it, byte for byte).
 */

/** `env-file-format`: dotenv's `NAME=value` lines, or one flat JSON object. */
export const EnvFileFormats = ['dotenv', 'json'] as const
export type EnvFileFormat = (typeof EnvFileFormats)[number]

/** The quotes dotenv reads, in the order they are tried: single quotes keep everything as written. */
export const DotenvQuotes = ["'", '"', '`'] as const
export type DotenvQuote = (typeof DotenvQuotes)[number]

/**
 * What goes between the quotes. dotenv turns `\n` and `\r` (a backslash and a letter) inside
 * double quotes into line breaks, so there line breaks are written that way, on one line; the
 * other quotes take the value as it is, over as many lines as it has.
 */
function between(value: string, quote: DotenvQuote): string {
  return quote === '"' ? value.replace(/\r/g, '\\r').replace(/\n/g, '\\n') : value
}

/** `value` in `quote`, as written after `NAME=`. */
export const dotenvQuoted = (value: string, quote: DotenvQuote): string => `${quote}${between(value, quote)}${quote}`

/**
 * How dotenv reads `dotenvQuoted(value, quote)` back as exactly `value`, whatever other lines the
 * file has; undefined when it does not. dotenv's parser (one regular expression, `m` flag) reads a
 * quoted value up to the first quote that no backslash precedes; failing that, the rest of the line
 * up to a `#`, with the outer quotes taken off. So a value is read back:
 * - `quoted`: every `quote` in it has a backslash before it, and it does not end with a backslash
 *   (that backslash would hide the closing quote, and the value would run on into the next lines);
 * - as a `whole line`: one line with a `quote` that no backslash precedes and no `#`, and no quote
 *   before that one followed by spaces and U+2028 or U+2029 (JavaScript's other line ends, where
 *   the value would end early).
 * Never with a carriage return outside double quotes (dotenv turns the file's CR LF and CR into LF
 * first), nor in double quotes with a backslash before `n` or `r` (always read as a line break).
 * Text that is not well-formed UTF-16 (a lone surrogate) has no UTF-8 form to write.
 */
export function dotenvReading(value: string, quote: DotenvQuote): 'quoted' | 'whole line' | undefined {
  if (/\p{Cs}/u.test(value)) return undefined
  const text = between(value, quote)
  if (text.includes('\r')) return undefined
  if (quote === '"' && /\\[nr]/.test(value)) return undefined
  const bare = firstBareQuote(text, quote)
  if (bare === -1) return text.endsWith('\\') ? undefined : 'quoted'
  return /[\n#]/.test(text) || endsEarly(text, quote, bare) ? undefined : 'whole line'
}

/** The index of the first `quote` that no backslash precedes, or -1. */
function firstBareQuote(text: string, quote: DotenvQuote): number {
  for (let index = 0; index < text.length; index++) if (text[index] === quote && text[index - 1] !== '\\') return index
  return -1
}

/** Whether a quote up to `bare` can close the value at a U+2028 or U+2029 that only spaces separate from it. */
function endsEarly(text: string, quote: DotenvQuote, bare: number): boolean {
  for (let index = 0; index <= bare; index++)
    if (text[index] === quote && /^\s*[\u2028\u2029]/.test(text.slice(index + 1))) return true
  return false
}

/**
 * The value as written after `NAME=`; undefined when no quoting carries it. Quoted is preferred to
 * a whole line: other readers of .env files (docker compose) also read a value in quotes that hold
 * no bare quote of their kind.
 */
export function dotenvValue(value: string): string | undefined {
  const quote =
    DotenvQuotes.find((candidate) => dotenvReading(value, candidate) === 'quoted') ??
    DotenvQuotes.find((candidate) => dotenvReading(value, candidate) === 'whole line')
  return quote === undefined ? undefined : dotenvQuoted(value, quote)
}

// dotenv collects into a plain object, where `__proto__ = '...'` sets nothing.
const NotADotenvName = '__proto__'

/**
 * The file's text: `NAME='value'` lines (LF), or one JSON object of name to value. Undefined for
 * dotenv when a variable cannot be carried exactly: the caller names it, and JSON carries anything.
 */
export function renderEnvFile(
  variables: Readonly<Record<string, string>>,
  format: EnvFileFormat
): { readonly text: string } | { readonly refused: string } {
  if (format === 'json') return { text: `${JSON.stringify(variables, null, 2)}\n` }
  const lines: string[] = []
  for (const [name, value] of Object.entries(variables)) {
    const written = name === NotADotenvName ? undefined : dotenvValue(value)
    if (written === undefined) return { refused: name }
    lines.push(`${name}=${written}\n`)
  }
  return { text: lines.join('') }
}
