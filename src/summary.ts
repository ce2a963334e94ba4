import * as core from '@actions/core'
import type { Vault } from './inputs/vault.js'
import type { Row } from './operations/module.js'

// core.summary writes every cell and heading as HTML (<td>text</td>), unescaped. Within an HTML block
// on one line, markdown is not interpreted, so escaping HTML is enough to show text as text.
const SummaryEntities: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;'
}
const MAX_CELL = 200

/** Text for the summary, from the vault or the inputs, shown as text: HTML escaped, one line (a line break would end the HTML block), at most 200 characters. */
function summaryText(text: string): string {
  const line = text.replace(/[\p{Cc}\p{Cf}]+/gu, ' ').trim()
  const short = line.length > MAX_CELL ? `${line.slice(0, MAX_CELL - 1)}…` : line
  return short.replace(/[&<>"']/g, (char) => SummaryEntities[char] ?? char)
}

/** Adds what the step did to the job summary: names, versions and destinations, never a value. */
export async function writeSummary(vault: Vault, rows: readonly Row[]): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return
  const cells = rows.map((row) => row.map((cell) => (typeof cell === 'string' ? summaryText(cell) : { ...cell })))
  await core.summary
    .addHeading(`Azure Key Vault secrets: ${summaryText(vault.name)}`, 3)
    .addTable(cells)
    .write()
}
