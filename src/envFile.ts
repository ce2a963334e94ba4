/**
 * `env-file`: every variable of the step in one file. How a value is written in the dotenv format
 * is decided here, by pure functions.
 *
 * The values come from the vault, whose writers are not trusted (many more people than the
 * workflow's authors), and the file has readers that run code: a shell script reads it with
 * `set -a; . ./app.env`. So a value is only written in a form that every one of its readers takes
 * literally, and reads back as exactly the value:
 * - the dotenv package (node_modules/dotenv: one regular expression, or its `fast` parser);
 * - POSIX shells sourcing the file (bash, dash);
 * - docker compose (`env_file:`, `--env-file`), by its documented rules, since it cannot run here:
 *   https://docs.docker.com/compose/how-tos/environment-variables/variable-interpolation/#env-file-syntax
 *   (single-quoted values are used literally and may span lines; a backslash escapes a quote;
 *   double-quoted values get `$VAR`/`${VAR}` interpolation and backslash escapes; only single
 *   quotes are documented to span lines).
 * __tests__/unit/envFile.test.ts holds the rules to dotenv, bash and dash, byte for byte.
 */

/** `env-file-format`: dotenv's `NAME=value` lines, or one flat JSON object. */
export const EnvFileFormats = ['dotenv', 'json'] as const
export type EnvFileFormat = (typeof EnvFileFormats)[number]

/**
 * The quotes a value is written in, in the order they are tried. No backtick form (a shell runs
 * it) and no unquoted form (a shell splits, expands and runs it).
 */
export const DotenvQuotes = ["'", '"'] as const
export type DotenvQuote = (typeof DotenvQuotes)[number]

/**
 * What no quote carries to every reader: a carriage return (dotenv turns CR LF and a lone CR into
 * LF before it parses; the shells keep it), NUL (a shell variable cannot hold one: bash and dash
 * drop it) and a lone surrogate (not well-formed UTF-16: it has no UTF-8 form to write).
 */
const NeverCarried = /[\r\0]|\p{Cs}/u

/**
 * What each quote may not hold, so that every reader takes what is between the quotes as it is.
 * - `'`: a shell ends the quotes at any `'`, a backslash before it or not (`'x\' ; cmd #'` runs
 *   `cmd`), while dotenv and compose read `\'` as a quote inside them. A final backslash would hide
 *   the closing quote from dotenv and compose (the value would run on into the next lines).
 *   Anything else (`$`, backticks, backslashes, `#`, line breaks) is literal to all of them.
 * - `"`: a shell expands `$` and backticks (`"$(cmd)"` runs `cmd`) and takes a backslash before
 *   `$`, a backtick, `"`, `\` or a line break as an escape; compose interpolates `$` and reads
 *   backslash escapes; dotenv reads `\n` and `\r` as line breaks. A line break: compose documents
 *   multi-line values for single quotes only. `!` stays: bash's history expansion applies to lines
 *   typed at an interactive shell, not to a file it sources.
 */
const NotIn: Readonly<Record<DotenvQuote, RegExp>> = {
  "'": /'|\\$/,
  '"': /["\\$`\n]/
}

/** Whether `value` in `quote` is read back as exactly `value` by every reader, and runs nothing. */
export function dotenvCarries(value: string, quote: DotenvQuote): boolean {
  return !NeverCarried.test(value) && !NotIn[quote].test(value)
}

/** `value` in `quote`, as written after `NAME=`: as it is, over as many lines as it has. */
export const dotenvQuoted = (value: string, quote: DotenvQuote): string => `${quote}${value}${quote}`

/** The value as written after `NAME=`; undefined when no quote carries it. */
export function dotenvValue(value: string): string | undefined {
  const quote = DotenvQuotes.find((candidate) => dotenvCarries(value, candidate))
  return quote === undefined ? undefined : dotenvQuoted(value, quote)
}

/**
 * A name every reader takes as one: a shell reads `NAME=...` as an assignment only when NAME is a
 * shell name (otherwise it runs the line as a command). export-env accepts no other names; this
 * keeps the file's guarantee to the shells whoever calls. `__proto__`: dotenv collects into a plain
 * object, where `__proto__ = '...'` sets nothing.
 */
const isWritableName = (name: string): boolean => /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && name !== '__proto__'

/**
 * The file's text: `NAME='value'` lines (LF), or one JSON object of name to value. For dotenv, the
 * first variable that cannot be carried exactly is refused instead: the caller names it, and JSON
 * carries anything.
 */
export function renderEnvFile(
  variables: Readonly<Record<string, string>>,
  format: EnvFileFormat
): { readonly text: string } | { readonly refused: string } {
  if (format === 'json') return { text: `${JSON.stringify(variables, null, 2)}\n` }
  const lines: string[] = []
  for (const [name, value] of Object.entries(variables)) {
    const written = isWritableName(name) ? dotenvValue(value) : undefined
    if (written === undefined) return { refused: name }
    lines.push(`${name}=${written}\n`)
  }
  return { text: lines.join('') }
}
