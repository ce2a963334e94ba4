/**
 * What the GitHub runner does to a step's output before anyone sees it: parse workflow commands,
 * register `add-mask` values, and replace every registered value in later lines by `***`.
 *
 * Follows the runner (2.286 and later):
 * - a line is a command when, trimmed, it starts with `::name props::data` (or the old `##[name props]data`);
 * - `add-mask` data is unescaped (`%25`, `%0D`, `%0A`), and both the whole value and each trimmed,
 *   non-empty line of it are registered; the add-mask line itself is not shown;
 * - masking is literal: every occurrence (overlapping ones too) of every value is found, overlapping
 *   or touching ranges merge, and each merged range becomes `***`;
 * - `::error::` / `::warning::` / `::notice::` show as `##[error]...`; `::debug::` only when step debug is on.
 * Not modelled: the extra encodings the runner also masks (base64 with shifts, JSON/URI/XML escapes).
 */

export interface WorkflowCommand {
  readonly name: string
  readonly properties: Readonly<Record<string, string>>
  readonly data: string
}

const DATA_ESCAPES: readonly (readonly [string, string])[] = [
  ['%0D', '\r'],
  ['%0A', '\n'],
  ['%25', '%']
]
const PROPERTY_ESCAPES: readonly (readonly [string, string])[] = [
  ['%0D', '\r'],
  ['%0A', '\n'],
  ['%3A', ':'],
  ['%2C', ','],
  ['%25', '%']
]

const unescapeWith = (value: string, escapes: readonly (readonly [string, string])[]): string =>
  escapes.reduce((text, [escaped, plain]) => text.split(escaped).join(plain), value)

export const unescapeCommandData = (value: string): string => unescapeWith(value, DATA_ESCAPES)
export const unescapeCommandProperty = (value: string): string => unescapeWith(value, PROPERTY_ESCAPES)

function parseProperties(text: string): Record<string, string> {
  const properties: Record<string, string> = {}
  for (const pair of text.split(',')) {
    const index = pair.indexOf('=')
    if (index > 0) properties[pair.slice(0, index).trim()] = unescapeCommandProperty(pair.slice(index + 1))
  }
  return properties
}

/** Parses a workflow command line; undefined for ordinary output. */
export function parseCommand(line: string): WorkflowCommand | undefined {
  const trimmed = line.trim()
  if (trimmed.startsWith('::')) {
    const end = trimmed.indexOf('::', 2)
    if (end < 0) return undefined
    const head = trimmed.slice(2, end)
    const space = head.indexOf(' ')
    const name = space < 0 ? head : head.slice(0, space)
    if (!name) return undefined
    return {
      name,
      properties: space < 0 ? {} : parseProperties(head.slice(space + 1)),
      data: unescapeCommandData(trimmed.slice(end + 2))
    }
  }
  if (trimmed.startsWith('##[')) {
    const end = trimmed.indexOf(']')
    if (end < 0) return undefined
    const head = trimmed.slice(3, end)
    const space = head.indexOf(' ')
    const name = space < 0 ? head : head.slice(0, space)
    if (!name) return undefined
    // The old format escapes ';' separated properties and data the same way.
    return { name, properties: {}, data: unescapeCommandData(trimmed.slice(end + 1)) }
  }
  return undefined
}

/** The runner's secret masker: literal values, merged replacement ranges. */
export class SecretMasker {
  private readonly secrets = new Set<string>()

  /** Registers a value as `::add-mask::` does: the whole value and each trimmed, non-empty line. */
  add(value: string): void {
    if (value.trim() === '') return
    this.secrets.add(value)
    for (const line of value.split(/\r\n|\r|\n/)) {
      const trimmed = line.trim()
      if (trimmed) this.secrets.add(trimmed)
    }
  }

  get values(): readonly string[] {
    return [...this.secrets]
  }

  mask(line: string): string {
    const ranges: [number, number][] = []
    for (const secret of this.secrets) {
      for (let at = line.indexOf(secret); at >= 0; at = line.indexOf(secret, at + 1))
        ranges.push([at, at + secret.length])
    }
    if (ranges.length === 0) return line
    ranges.sort((a, b) => a[0] - b[0] || b[1] - a[1])
    const merged: [number, number][] = []
    for (const range of ranges) {
      const last = merged.at(-1)
      if (last && range[0] <= last[1]) last[1] = Math.max(last[1], range[1])
      else merged.push([range[0], range[1]])
    }
    let result = ''
    let cursor = 0
    for (const [start, end] of merged) {
      result += `${line.slice(cursor, start)}***`
      cursor = end
    }
    return result + line.slice(cursor)
  }
}

/** Splits process output into lines as the runner reads them (.NET ReadLine: CRLF, CR or LF). */
export function splitOutputLines(text: string): string[] {
  if (text === '') return []
  const lines = text.split(/\r\n|\r|\n/)
  if (lines.at(-1) === '') lines.pop()
  return lines
}

export type StreamName = 'stdout' | 'stderr'

export interface OutputLine {
  readonly stream: StreamName
  readonly text: string
}

export interface ProcessedOutput {
  /** Visible log lines after masking, in output order. */
  readonly log: string[]
  /** Data of `::error::` commands, unescaped and masked. */
  readonly errors: string[]
  readonly warnings: string[]
  readonly notices: string[]
  /** Data of `::debug::` commands, masked; shown in `log` only with step debug on. */
  readonly debug: string[]
  /** Every line as the action printed it, before masking, in output order. */
  readonly rawLines: string[]
  readonly masker: SecretMasker
}

interface Rendered {
  readonly visible?: string
}

function renderLine(
  line: string,
  masker: SecretMasker,
  debugEnabled: boolean,
  out: ProcessedOutput,
  state: { stopToken?: string }
): Rendered {
  const command = parseCommand(line)
  if (state.stopToken !== undefined) {
    // Commands are ignored until `::<token>::` ends a `::stop-commands::<token>` block.
    if (command?.name === state.stopToken) {
      state.stopToken = undefined
      return {}
    }
    return { visible: masker.mask(line) }
  }
  if (!command) return { visible: masker.mask(line) }
  switch (command.name) {
    case 'add-mask':
      masker.add(command.data)
      return {}
    case 'stop-commands':
      state.stopToken = command.data
      return {}
    case 'error':
      out.errors.push(masker.mask(command.data))
      return { visible: masker.mask(`##[error]${command.data}`) }
    case 'warning':
      out.warnings.push(masker.mask(command.data))
      return { visible: masker.mask(`##[warning]${command.data}`) }
    case 'notice':
      out.notices.push(masker.mask(command.data))
      return { visible: masker.mask(`##[notice]${command.data}`) }
    case 'debug':
      out.debug.push(masker.mask(command.data))
      return debugEnabled ? { visible: masker.mask(`##[debug]${command.data}`) } : {}
    case 'group':
      return { visible: masker.mask(`##[group]${command.data}`) }
    case 'endgroup':
      return { visible: '##[endgroup]' }
    default:
      return { visible: masker.mask(line) }
  }
}

/**
 * Runs a step's output through the runner's command processing and masking.
 * Lines are given in output order with their stream. All stdout lines are processed first, in
 * order, so every `add-mask` printed on stdout is known before stderr lines are masked (the real
 * runner reads both pipes concurrently; which of two lines written close together arrives first is a
 * race, and this keeps results deterministic). Within each stream, order is exact.
 */
export function processStepOutput(
  lines: readonly OutputLine[],
  options: { debug?: boolean; masker?: SecretMasker } = {}
): ProcessedOutput {
  const masker = options.masker ?? new SecretMasker()
  const out: ProcessedOutput = {
    log: [],
    errors: [],
    warnings: [],
    notices: [],
    debug: [],
    rawLines: lines.map((l) => l.text),
    masker
  }
  const rendered = new Map<number, Rendered>()
  for (const stream of ['stdout', 'stderr'] as const) {
    const state: { stopToken?: string } = {}
    lines.forEach((line, index) => {
      if (line.stream === stream) rendered.set(index, renderLine(line.text, masker, options.debug ?? false, out, state))
    })
  }
  lines.forEach((_, index) => {
    const visible = rendered.get(index)?.visible
    if (visible !== undefined) out.log.push(visible)
  })
  return out
}

/** Masks text line by line, as the runner does to a step summary before upload. */
export function maskText(text: string, masker: SecretMasker): string {
  return text
    .split('\n')
    .map((line) => masker.mask(line))
    .join('\n')
}
