import type { ExpiryRules } from '../expiry.js'
import { DurationFormats, parseDuration } from './attributes.js'
import { readBoolean, readText } from './read.js'
import { InputTable, Inputs } from './table.js'

const ExpiryWarningFormats = `${DurationFormats}, or 0 to turn the warning off`

/** `expiry-warning` and `fail-on-expired`, checked before any request; `now` checks the window fits in a date. */
export function readExpiryRules(now = new Date()): ExpiryRules {
  const raw = readText(InputTable.ExpiryWarning) || InputTable.ExpiryWarning.default
  const failOnExpired = readBoolean(InputTable.FailOnExpired)
  if (raw === '0') return { failOnExpired }
  return {
    warnWithin: { text: raw, duration: parseDuration(Inputs.ExpiryWarning, raw, now, ExpiryWarningFormats) },
    failOnExpired
  }
}
