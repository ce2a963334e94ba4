import { DurationFormats, parseDuration, type Duration } from './attributes.js'
import { readBoolean, readText } from './read.js'
import { InputTable, Inputs } from './table.js'

/** What `expiry-warning` and `fail-on-expired` ask for. */
export interface ExpiryRules {
  /** `expiry-warning`: warn about a secret that expires within this of now; absent when `0` turned it off. */
  readonly warnWithin?: { readonly text: string; readonly duration: Duration }
  /** `fail-on-expired`: a secret whose expiry has passed fails the step instead of a warning. */
  readonly failOnExpired: boolean
}

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
