import { addDuration } from './inputs/attributes.js'
import type { ExpiryRules } from './inputs/expiry.js'
import { Inputs } from './inputs/table.js'

/** A secret read or listed, its vault's name, and when it expires (absent: never). */
export interface Dated {
  readonly name: string
  readonly vault: string
  readonly expiresOn?: Date
  /** What expires then is the certificate whose part was read, before the secret (or a secret without an expiry). */
  readonly certificate?: boolean
}

/** A secret that has expired, or expires within the warning window. */
export interface ExpiryNotice {
  readonly name: string
  readonly vault: string
  readonly expires: Date
  readonly state: 'expired' | 'expiring'
  /** Whole days until it expires, rounded down (0: within a day); for an expired one, whole days since. */
  readonly days: number
  /** The certificate in the secret expires (ends its validity), not the secret. */
  readonly certificate?: boolean
}

const DAY_MS = 86_400_000

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/**
 * Which secrets have expired (an expiry at or before `now`) or expire within the window (at or
 * before `now` + `expiry-warning`, the edge included), soonest first. The same secret reached
 * twice with one expiry (a named entry and a file, two globs, two fields) is noticed once.
 */
export function expiryNotices(secrets: readonly Dated[], rules: ExpiryRules, now: Date): ExpiryNotice[] {
  const warnUntil = rules.warnWithin ? addDuration(now, rules.warnWithin.duration).getTime() : -Infinity
  const notices = new Map<string, ExpiryNotice>()
  for (const { name, vault, expiresOn, certificate } of secrets) {
    if (!expiresOn) continue
    const left = expiresOn.getTime() - now.getTime()
    const state = left <= 0 ? 'expired' : expiresOn.getTime() <= warnUntil ? 'expiring' : undefined
    if (!state) continue
    const key = `${vault}/${name.toLowerCase()}/${expiresOn.getTime()}/${certificate === true}`
    if (!notices.has(key))
      notices.set(key, {
        name,
        vault,
        expires: expiresOn,
        state,
        days: Math.floor(Math.abs(left) / DAY_MS),
        ...(certificate && { certificate })
      })
  }
  return [...notices.values()].sort(
    (a, b) => a.expires.getTime() - b.expires.getTime() || byText(a.name, b.name) || byText(a.vault, b.vault)
  )
}

/** The secrets whose expiry has passed, read or listed with `fail-on-expired: true`: the step fails before anything is handed on. */
export class SecretsExpired extends Error {
  override readonly name = 'SecretsExpired'
  constructor(readonly expired: readonly ExpiryNotice[]) {
    super(`${expired.length} secret(s) have expired`)
  }
}

/** The notices for `secrets`; with `fail-on-expired`, an expired one throws SecretsExpired instead. */
export function decideExpiry(secrets: readonly Dated[], rules: ExpiryRules, now: Date): ExpiryNotice[] {
  const notices = expiryNotices(secrets, rules, now)
  const expired = notices.filter((notice) => notice.state === 'expired')
  if (rules.failOnExpired && expired.length > 0) throw new SecretsExpired(expired)
  return notices
}

/** `2027-01-31`: the day, in UTC. */
export const utcDay = (moment: Date): string => moment.toISOString().slice(0, 10)

/** The command that moves a secret's expiry; `<new expiry>` is for the user to choose. */
export const extendCommand = (vault: string, name: string): string =>
  `az keyvault secret set-attributes --vault-name ${vault} --name ${name} --expires <YYYY-MM-DDThh:mm:ssZ>`

const inDays = (days: number): string => (days === 0 ? 'within a day' : `in ${days} day${days === 1 ? '' : 's'}`)
const daysAgo = (days: number): string =>
  days === 0 ? 'less than a day ago' : `${days} day${days === 1 ? '' : 's'} ago`

/** What the step did with the secrets it noticed: read them (`get`) or listed them. */
export type Seen = 'read' | 'listed'

const ExpiredSeen: Readonly<Record<Seen, string>> = {
  read: 'Key Vault returned it all the same, and may refuse to read it at any time (403 SecretExpired).',
  listed: 'Key Vault may refuse to read it (403 SecretExpired), or still return it.'
}

/** What renews a certificate whose validity ends: Key Vault does not extend it. */
export const renewAdvice = (vault: string, name: string): string =>
  `Renew it and store the new certificate in the secret (a Key Vault certificate renews by its policy, or az keyvault certificate import --vault-name ${vault} --name ${name} --file <new.pfx|new.pem>).`

/** The warning for a notice about the certificate in a secret. */
function certificateWarning(notice: ExpiryNotice, rules: ExpiryRules): string {
  const what = `The certificate in secret '${notice.name}' in vault '${notice.vault}'`
  const renew = renewAdvice(notice.vault, notice.name)
  if (notice.state === 'expiring')
    return `${what} expires on ${utcDay(notice.expires)} (${inDays(notice.days)}; '${Inputs.ExpiryWarning}' is ${rules.warnWithin?.text ?? '0'}). ${renew}`
  return (
    `${what} expired on ${utcDay(notice.expires)} (${daysAgo(notice.days)}): it is no longer valid, though the secret was read. ${renew} ` +
    `'${Inputs.FailOnExpired}: true' fails the step instead.`
  )
}

/** The warning annotation for each notice: the secret, its vault, the day it expires (UTC), and how to extend it. */
export function expiryWarnings(notices: readonly ExpiryNotice[], rules: ExpiryRules, seen: Seen): string[] {
  return notices.map((notice) => {
    if (notice.certificate) return certificateWarning(notice, rules)
    const { vault } = notice
    const extend = `Extend it (${extendCommand(vault, notice.name)}) or store a new version.`
    if (notice.state === 'expiring') {
      return (
        `Secret '${notice.name}' in vault '${vault}' expires on ${utcDay(notice.expires)} (${inDays(notice.days)}; ` +
        `'${Inputs.ExpiryWarning}' is ${rules.warnWithin?.text ?? '0'}). ${extend}`
      )
    }
    return (
      `Secret '${notice.name}' in vault '${vault}' expired on ${utcDay(notice.expires)} (${daysAgo(notice.days)}). ` +
      `${ExpiredSeen[seen]} ${extend} ` +
      `'${Inputs.FailOnExpired}: true' fails the step instead.`
    )
  })
}

/** Output `expiring`: the secrets expired or within the window, soonest first. */
export const expiringOutput = (notices: readonly ExpiryNotice[]): string =>
  JSON.stringify(
    notices.map((notice) => ({
      name: notice.name,
      expires: notice.expires.toISOString(),
      ...(notice.certificate && { certificate: true })
    }))
  )

/** The summary's Expires cell: the moment, and whether it has passed or comes within the window. */
export function expiresCell({ name, vault, expiresOn, certificate }: Dated, notices: readonly ExpiryNotice[]): string {
  if (!expiresOn) return 'never'
  const notice = notices.find(
    (n) =>
      n.vault === vault && n.name.toLowerCase() === name.toLowerCase() && n.expires.getTime() === expiresOn.getTime()
  )
  const state = notice ? ` (${notice.state === 'expired' ? 'expired' : `expires ${inDays(notice.days)}`})` : ''
  return `${expiresOn.toISOString()}${certificate ? ' (certificate)' : ''}${state}`
}
