import { ActionError } from '../errors.js'
import { quote } from '../text.js'

/** Key Vault's limits on what a secret carries besides its value. */
export const AttributeLimits = { tags: 15, tagLength: 256, contentTypeLength: 255 } as const

/**
 * `tags`: one `key=value` per line (the value may be empty or contain `=`). Blank lines and lines
 * starting with `#` are skipped. Keys are unique, ignoring case, as Azure treats tag names.
 */
export function parseTags(input: string, raw: string): Record<string, string> {
  // A Map, so a tag named like an object's own machinery (__proto__) is kept as any other.
  const tags = new Map<string, string>()
  const seen = new Set<string>()
  for (const line of raw.split(/\r?\n/).map((text) => text.trim())) {
    if (line === '' || line.startsWith('#')) continue
    const equals = line.indexOf('=')
    const key = equals < 0 ? '' : line.slice(0, equals).trim()
    const value = equals < 0 ? '' : line.slice(equals + 1).trim()
    if (!key)
      throw new ActionError(
        `Input '${input}' has a malformed line ${quote(line)}. Each line is key=value, e.g. owner=platform-team.`
      )
    if (key.length > AttributeLimits.tagLength || value.length > AttributeLimits.tagLength) {
      throw new ActionError(
        `Input '${input}': tag ${quote(key)} is too long. Key Vault accepts tag names and values of at most ${AttributeLimits.tagLength} characters each.`
      )
    }
    if (seen.has(key.toLowerCase()))
      throw new ActionError(`Input '${input}' gives the tag ${quote(key)} twice. Give each tag once.`)
    seen.add(key.toLowerCase())
    tags.set(key, value)
  }
  if (tags.size > AttributeLimits.tags) {
    throw new ActionError(
      `Input '${input}' has ${tags.size} tags; Key Vault accepts at most ${AttributeLimits.tags} per secret.`
    )
  }
  return Object.fromEntries(tags)
}

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const

export const MomentFormats =
  'an ISO 8601 date-time with a time zone (2027-01-31T00:00:00Z), a date (2027-01-31, midnight UTC), a duration from now (90d, 12h, 30m, 2w) or an ISO 8601 duration (P90D, PT12H, P1Y2M)'

export const DurationFormats =
  'a duration such as 30d, 12h, 90m, 2w (s, m, h, d, w) or an ISO 8601 duration (P30D, PT12H, P1M)'

/** A span of time as written: years and months follow the calendar, the rest is fixed. */
export interface Duration {
  readonly years: number
  readonly months: number
  readonly fixedMs: number
}

/** The moment `duration` after `moment`; an invalid Date when that is beyond what a Date holds. */
export function addDuration(moment: Date, duration: Duration): Date {
  // Years and months follow the calendar (P1M from 31 January is 3 March in a short year, as in JavaScript).
  const calendar = new Date(moment.getTime())
  calendar.setUTCFullYear(calendar.getUTCFullYear() + duration.years, calendar.getUTCMonth() + duration.months)
  return new Date(calendar.getTime() + duration.fixedMs)
}

/** `90d`, `P1Y2M`, ...: undefined when the text is not written as a duration at all. */
function durationOf(text: string, invalid: (why: string) => ActionError): Duration | undefined {
  const short = /^(\d{1,6})([smhdw])$/i.exec(text)
  if (short) {
    const unit = (short[2] ?? '').toLowerCase() as keyof typeof UNIT_MS
    return { years: 0, months: 0, fixedMs: Number(short[1]) * UNIT_MS[unit] }
  }

  const iso = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/i.exec(text)
  if (!iso) return undefined
  const [, years, months, weeks, days, hours, minutes, seconds] = iso.map((part) =>
    part === undefined ? undefined : Number(part)
  )
  if ([years, months, weeks, days, hours, minutes, seconds].every((part) => part === undefined))
    throw invalid('the duration has no amount')
  if (/T$/i.test(text)) throw invalid('a T must be followed by hours, minutes or seconds')
  const fixedMs =
    (weeks ?? 0) * UNIT_MS.w +
    (days ?? 0) * UNIT_MS.d +
    (hours ?? 0) * UNIT_MS.h +
    (minutes ?? 0) * UNIT_MS.m +
    (seconds ?? 0) * UNIT_MS.s
  return { years: years ?? 0, months: months ?? 0, fixedMs }
}

/**
 * A duration only (`expiry-warning`): the same forms as a duration in `expires`. `now` checks
 * that it fits in a date at all.
 */
export function parseDuration(input: string, raw: string, now: Date, accepted = DurationFormats): Duration {
  const invalid = (why: string): ActionError =>
    new ActionError(`Input '${input}' has an invalid value ${quote(raw)}: ${why}. Accepted: ${accepted}.`)
  const text = raw.trim()
  const duration = durationOf(text, invalid)
  if (!duration) {
    throw invalid(
      /^\d{4}-\d{2}-\d{2}/.test(text) ? 'that is a date, and this input takes a duration' : 'it is not a duration'
    )
  }
  validMoment(addDuration(now, duration), invalid)
  return duration
}

/**
 * `expires` and `not-before`: an absolute moment, or a duration counted from `now`. Dates are
 * checked field by field, because `Date` silently rolls 2027-02-30 over into March.
 */
export function parseMoment(input: string, raw: string, now: Date): Date {
  const invalid = (why: string): ActionError =>
    new ActionError(`Input '${input}' has an invalid value ${quote(raw)}: ${why}. Accepted: ${MomentFormats}.`)
  const text = raw.trim()

  const duration = durationOf(text, invalid)
  if (duration) return validMoment(addDuration(now, duration), invalid)

  const absolute =
    /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/i.exec(text)
  if (!absolute) throw invalid('it is neither a date-time nor a duration')
  const [, year, month, day, hour, minute, second, zone] = absolute
  if (hour !== undefined && zone === undefined)
    throw invalid('a date-time needs a time zone, such as Z for UTC or +02:00')
  const fields = {
    year: Number(year),
    month: Number(month),
    day: Number(day),
    hour: Number(hour ?? 0),
    minute: Number(minute ?? 0),
    second: Number(second ?? 0)
  }
  // setUTCFullYear, unlike Date.UTC, does not read years 0-99 as 1900-1999.
  const calendar = new Date(0)
  calendar.setUTCFullYear(fields.year, fields.month - 1, fields.day)
  calendar.setUTCHours(fields.hour, fields.minute, fields.second, 0)
  const sameFields =
    calendar.getUTCFullYear() === fields.year &&
    calendar.getUTCMonth() === fields.month - 1 &&
    calendar.getUTCDate() === fields.day &&
    calendar.getUTCHours() === fields.hour &&
    calendar.getUTCMinutes() === fields.minute &&
    calendar.getUTCSeconds() === fields.second
  if (!sameFields) throw invalid('that day or time does not exist')
  const offset = /^([+-])(\d{2}):?(\d{2})$/.exec(zone ?? '')
  if (offset && (Number(offset[2]) > 23 || Number(offset[3]) > 59)) throw invalid('the time zone offset does not exist')
  const offsetMinutes = offset ? (offset[1] === '-' ? -1 : 1) * (Number(offset[2]) * 60 + Number(offset[3])) : 0
  return new Date(calendar.getTime() - offsetMinutes * UNIT_MS.m)
}

function validMoment(moment: Date, invalid: (why: string) => ActionError): Date {
  if (Number.isNaN(moment.getTime())) throw invalid('the duration is too long')
  return moment
}
