/**
 * Parses GITHUB_OUTPUT / GITHUB_ENV / GITHUB_STATE as the runner does on Linux
 * (Runner.Worker FileCommandManager, EnvFileKeyValuePairs):
 * - lines end at "\n" only; a "\r" stays part of the line;
 * - `name=value` when '=' comes before any '<<', else heredoc `name<<DELIM`, value lines, `DELIM`;
 *   the heredoc value is the text between, its lines re-joined with "\n" (the last "\n" is not part of it);
 * - empty lines are skipped; anything else is an error that fails the step.
 */

export interface FileCommandResult {
  /** Later assignments win, as in the runner. */
  readonly values: Record<string, string>
  /** In order of appearance, duplicates included. */
  readonly entries: readonly (readonly [string, string])[]
  /** The runner's message for the first malformed entry; parsing stops there as in the runner. */
  readonly error?: string
}

function readLine(text: string, cursor: { index: number }): { line: string; hasNewline: boolean } | undefined {
  if (cursor.index >= text.length) return undefined
  const start = cursor.index
  const lf = text.indexOf('\n', start)
  if (lf < 0) {
    cursor.index = text.length
    return { line: text.slice(start), hasNewline: false }
  }
  cursor.index = lf + 1
  return { line: text.slice(start, lf), hasNewline: true }
}

export function parseFileCommands(text: string): FileCommandResult {
  const values: Record<string, string> = {}
  const entries: [string, string][] = []
  const cursor = { index: 0 }
  const done = (error?: string): FileCommandResult =>
    error === undefined ? { values, entries } : { values, entries, error }

  for (let next = readLine(text, cursor); next !== undefined; next = readLine(text, cursor)) {
    const { line } = next
    if (line === '') continue
    const equalsIndex = line.indexOf('=')
    const heredocIndex = line.indexOf('<<')
    let key: string
    let value: string
    if (equalsIndex >= 0 && (heredocIndex < 0 || equalsIndex < heredocIndex)) {
      key = line.slice(0, equalsIndex)
      value = line.slice(equalsIndex + 1)
      if (key === '') return done(`Invalid format '${line}'. Name must not be empty`)
    } else if (heredocIndex >= 0) {
      key = line.slice(0, heredocIndex)
      const delimiter = line.slice(heredocIndex + 2)
      if (key === '' || delimiter === '') {
        return done(`Invalid format '${line}'. Name must not be empty and delimiter must not be empty`)
      }
      const valueLines: string[] = []
      for (;;) {
        const valueLine = readLine(text, cursor)
        if (valueLine === undefined) return done(`Invalid value. Matching delimiter not found '${delimiter}'`)
        if (valueLine.line === delimiter) break
        if (!valueLine.hasNewline) return done('Invalid value. EOF marker missing new line.')
        valueLines.push(valueLine.line)
      }
      value = valueLines.join('\n')
    } else {
      return done(`Invalid format '${line}'`)
    }
    values[key] = value
    entries.push([key, value])
  }
  return done()
}
