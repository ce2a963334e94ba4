/**
 * bench:startup's numbers: one array per measure, indexed by round (NaN where a measure did not run
 * that round), medians over the rounds, and ratios as the median of per-round ratios (each round's
 * systems ran back to back, so a round's ratio cancels most of the machine's drift).
 */
import type { System } from './systems.js'

export type Samples = Map<string, number[]>

export function record(samples: Samples, key: string, round: number, value: number): void {
  const values = samples.get(key) ?? []
  values[round] = value
  samples.set(key, values)
}

export function median(values: readonly number[]): number {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b)
  if (sorted.length === 0) return Number.NaN
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2
}

/** The median over rounds of f(a[round], b[round]), where both were measured. */
function pairedMedian(a: readonly number[] = [], b: readonly number[] = [], f: (x: number, y: number) => number) {
  const pairs = Array.from({ length: Math.max(a.length, b.length) }, (_, i) => [a[i], b[i]] as const)
  return median(pairs.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)).map(([x, y]) => f(x!, y!)))
}

export const ratioOf = (samples: Samples, numerator: string, denominator: string): number =>
  pairedMedian(samples.get(numerator), samples.get(denominator), (x, y) => x / y)

const ms = (value: number): string => (Number.isFinite(value) ? `${value.toFixed(0)} ms` : '')
const times = (value: number): string => (Number.isFinite(value) ? `${value.toFixed(2)}x` : '')

function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? []
  const line = (row: readonly string[]) =>
    `| ${row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`
  return [
    line(rows[0] ?? []),
    `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`,
    ...rows.slice(1).map(line)
  ]
}

/** The start-up table: every system's cold get, first request, the same at `latencyMs` a request, and ratios. */
export function startupTable(samples: Samples, systems: readonly System[], latencyMs: number): string[] {
  const labels = new Map(systems.map((system) => [system.key, system.label]))
  const get = (key: string) => median(samples.get(key) ?? [])
  const rows = [
    [
      'system',
      'cold get, 1 secret',
      'requests',
      'first request at',
      `at ${latencyMs} ms a request`,
      `round trips (t${latencyMs} - t0) / ${latencyMs} ms`,
      'ratio against',
      'ratio, cold',
      'ratio, first request'
    ],
    ['node -e 0', ms(get('node')), '', '', '', '', '', '', '']
  ]
  for (const { key, label, versus, versusLabel } of systems) {
    const trips = pairedMedian(samples.get(`${key}:${latencyMs}`), samples.get(key), (x, y) => (x - y) / latencyMs)
    rows.push([
      label,
      ms(get(key)),
      String(get(`${key}:requests`)),
      ms(get(`${key}:first`)),
      ms(get(`${key}:${latencyMs}`)),
      Number.isFinite(trips) ? trips.toFixed(1) : '',
      versus ? (versusLabel ?? `${labels.get(versus) ?? versus} ÷ it`) : '',
      versus ? times(ratioOf(samples, versus, key)) : '',
      versus ? times(ratioOf(samples, `${versus}:first`, `${key}:first`)) : ''
    ])
  }
  // A measure with no requests: its time, and one ratio.
  const single = (label: string, key: string, against: string, ratio: number): string[] => [
    label,
    ms(get(key)),
    '',
    '',
    '',
    '',
    against,
    times(ratio),
    ''
  ]
  rows.push(single('post step (ours)', 'post', 'it ÷ node -e 0', ratioOf(samples, 'post', 'node')))
  if (samples.has('base-post'))
    rows.push(single('post step (before)', 'base-post', 'post step (ours) ÷ it', ratioOf(samples, 'post', 'base-post')))
  return table(rows)
}

/** A row of the optional 100-secret table: label, measure, and the measure its ratio is taken against. */
export interface BulkRow {
  readonly label: string
  readonly key: string
  readonly versus?: { readonly key: string; readonly label: string }
}

/** The optional 100-secret measure (bulk.ts), in the same shape. */
export function bulkTable(samples: Samples, rows: readonly BulkRow[]): string[] {
  return table([
    ['measure', 'median', 'ratio against', 'ratio'],
    ...rows
      .filter(({ key }) => samples.has(key))
      .map(({ label, key, versus }) => [
        label,
        ms(median(samples.get(key) ?? [])),
        versus ? `${versus.label} ÷ it` : '',
        versus ? times(ratioOf(samples, versus.key, key)) : ''
      ])
  ])
}
