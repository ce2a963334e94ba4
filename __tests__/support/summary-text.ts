/**
 * The job summary the action writes (`core.summary`: an `<h3>` heading and a `<table>` per step)
 * as plain text, the way GitHub renders it: the heading, then the table with aligned columns. Used
 * by the demo (`npm run demo`) and the screenshot script. Only what core.summary writes is read:
 * headings, tables and plain lines; everything else passes through as text.
 */

const Entities: Readonly<Record<string, string>> = {
  '&amp;': '&',
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&#39;': "'"
}

const decode = (html: string): string =>
  html.replace(/<[^>]+>/g, '').replace(/&(amp|lt|gt|quot|#39);/g, (entity) => Entities[entity] ?? entity)

function tableText(html: string): string[] {
  const rows = [...html.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) =>
    // core.summary writes an empty cell as an unclosed `<td>`: a cell also ends where the next begins.
    [...(row[1] ?? '').matchAll(/<t([hd])[^>]*>([\s\S]*?)(?:<\/t[hd]>|(?=<t[hd][\s>])|$)/g)].map((cell) => ({
      header: cell[1] === 'h',
      text: decode(cell[2] ?? '').trim()
    }))
  )
  const columns = Math.max(0, ...rows.map((row) => row.length))
  const widths = Array.from({ length: columns }, (_, column) =>
    Math.max(0, ...rows.map((row) => row[column]?.text.length ?? 0))
  )
  const lines: string[] = []
  rows.forEach((row) => {
    lines.push(
      row
        .map((cell, column) => cell.text.padEnd(widths[column] ?? 0))
        .join(' | ')
        .trimEnd()
    )
    if (row.every((cell) => cell.header)) lines.push(widths.map((width) => '-'.repeat(width)).join('-+-'))
  })
  return lines
}

/** Text lines of a job summary written by core.summary. */
export function summaryToText(html: string): string[] {
  const lines: string[] = []
  const blocks = /<h(\d)>([\s\S]*?)<\/h\1>|<table>([\s\S]*?)<\/table>|([^\n<][^\n]*)/g
  for (const match of html.matchAll(blocks)) {
    if (match[2] !== undefined) {
      if (lines.length > 0) lines.push('')
      lines.push(`### ${decode(match[2])}`)
    } else if (match[3] !== undefined) lines.push(...tableText(match[3]))
    else if (match[4] !== undefined && match[4].trim() !== '') lines.push(decode(match[4]))
  }
  return lines
}
