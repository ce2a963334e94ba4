import { describe, expect, test } from '@jest/globals'
import { ActionError } from '../../src/errors.js'
import {
  decideExpiry,
  expiresCell,
  expiringOutput,
  expiryNotices,
  expiryWarnings,
  SecretsExpired
} from '../../src/expiry.js'
import { explainFailure } from '../../src/failures/index.js'
import { parseDuration } from '../../src/inputs/attributes.js'
import { readExpiryRules, type ExpiryRules } from '../../src/inputs/expiry.js'
import { datedOf } from '../../src/operations/get/reading.js'
import { readInputs } from '../../src/operations/inputs.js'
import { isolateEnv, setInputs, thrownBy } from './helpers.js'

isolateEnv()

const NOW = new Date('2026-06-01T12:00:00Z')
const V = 'contoso-kv'
const DAY = 86_400_000
const at = (ms: number): Date => new Date(NOW.getTime() + ms)

/** What `expiry-warning` (and `fail-on-expired`) read as, with a fixed now. */
function rules(expiryWarning: string, failOnExpired = 'false'): ExpiryRules {
  setInputs({ 'expiry-warning': expiryWarning, 'fail-on-expired': failOnExpired })
  return readExpiryRules(NOW)
}

describe('expiry-warning and fail-on-expired', () => {
  test('the defaults: warn 30 days ahead, do not fail', () => {
    setInputs({})
    expect(readExpiryRules(NOW)).toEqual({
      warnWithin: { text: '30d', duration: { years: 0, months: 0, fixedMs: 30 * DAY } },
      failOnExpired: false
    })
  })

  test.each([
    ['2w', { years: 0, months: 0, fixedMs: 14 * DAY }],
    ['12h', { years: 0, months: 0, fixedMs: 12 * 3_600_000 }],
    ['P30D', { years: 0, months: 0, fixedMs: 30 * DAY }],
    ['p1m', { years: 0, months: 1, fixedMs: 0 }],
    ['P1Y2M3DT4H', { years: 1, months: 2, fixedMs: 3 * DAY + 4 * 3_600_000 }]
  ])('%s is a duration', (raw, duration) => {
    expect(rules(raw).warnWithin).toEqual({ text: raw, duration })
  })

  test('0 turns the warning off; fail-on-expired is read all the same', () => {
    expect(rules('0', 'TRUE')).toEqual({ failOnExpired: true })
  })

  const refused: readonly (readonly [string, string])[] = [
    ['2027-01-31', 'that is a date, and this input takes a duration'],
    ['2027-01-31T00:00:00Z', 'that is a date, and this input takes a duration'],
    ['-30d', 'it is not a duration'],
    ['30 days', 'it is not a duration'],
    ['P', 'the duration has no amount'],
    ['P1DT', 'a T must be followed by hours, minutes or seconds'],
    [`P${'9'.repeat(400)}D`, 'the duration is too long']
  ]
  test.each(refused.map(([raw, why]) => [raw.slice(0, 24), raw, why] as const))(
    '%s is refused, naming the input, what is wrong and what is accepted',
    (_, raw, why) => {
      const error = thrownBy(() => rules(raw))
      expect(error).toBeInstanceOf(ActionError)
      expect(error.message).toBe(
        `Input 'expiry-warning' has an invalid value '${raw.length > 80 ? `${raw.slice(0, 77)}...` : raw}': ${why}. ` +
          'Accepted: a duration such as 30d, 12h, 90m, 2w (s, m, h, d, w) or an ISO 8601 duration (P30D, PT12H, P1M), or 0 to turn the warning off.'
      )
    }
  )

  test('parseDuration says what it accepts, by default the durations alone', () => {
    expect(thrownBy(() => parseDuration('x', 'soon', NOW)).message).toMatch(
      /Accepted: a duration such as 30d.*P1M\)\.$/
    )
  })

  test('both are read with get and list, before any request, and refused with set', () => {
    setInputs({ 'vault-name': 'contoso-kv', operation: 'list', 'expiry-warning': '7d', 'fail-on-expired': 'true' })
    expect(readInputs({}).inputs).toMatchObject({ expiry: { warnWithin: { text: '7d' }, failOnExpired: true } })
    setInputs({ operation: 'set', 'secret-name': 'db-password', 'secret-value': 'v' })
    expect(thrownBy(() => readInputs({})).message).toBe(
      "Input 'expiry-warning' is only used with 'operation: get' or 'operation: list', not 'set'. Remove it."
    )
  })

  test('fail-on-expired takes true or false', () => {
    expect(thrownBy(() => rules('30d', 'yes')).message).toBe(
      "Input 'fail-on-expired' has an unknown value 'yes'. Accepted values: true, false."
    )
  })
})

describe('which secrets are noticed', () => {
  const thirtyDays = rules('30d')

  test.each([
    ['within the window', at(10 * DAY), 'expiring'],
    ['exactly at the window edge (now + 30d)', at(30 * DAY), 'expiring'],
    ['one second past the edge', at(30 * DAY + 1000), undefined],
    ['exactly now: expired', NOW, 'expired'],
    ['a second ago', at(-1000), 'expired'],
    ['a year ago', at(-365 * DAY), 'expired']
  ])('%s', (_, expiresOn, state) => {
    expect(
      expiryNotices([{ vault: V, name: 'db-password', expiresOn }], thirtyDays, NOW).map((notice) => notice.state)
    ).toEqual(state ? [state] : [])
  })

  test('a secret without an expiry is never noticed', () => {
    expect(expiryNotices([{ vault: V, name: 'db-password' }], thirtyDays, NOW)).toEqual([])
  })

  test('with 0, only expired secrets are noticed', () => {
    const off = rules('0')
    expect(
      expiryNotices(
        [
          { vault: V, name: 'soon', expiresOn: at(1000) },
          { vault: V, name: 'gone', expiresOn: at(-1000) }
        ],
        off,
        NOW
      ).map((notice) => notice.name)
    ).toEqual(['gone'])
  })

  test('a calendar window: P1M from 1 June reaches 1 July, not 31 days later', () => {
    const month = rules('P1M')
    const states = [at(30 * DAY), at(31 * DAY)].map(
      (expiresOn) => expiryNotices([{ vault: V, name: 'a', expiresOn }], month, NOW)[0]?.state
    )
    expect(states).toEqual(['expiring', undefined])
  })

  test('soonest first; whole days, rounded down; one secret reached twice is noticed once', () => {
    const notices = expiryNotices(
      [
        { vault: V, name: 'later', expiresOn: at(20 * DAY + 5000) },
        { vault: V, name: 'gone', expiresOn: at(-3 * DAY - 5000) },
        { vault: V, name: 'today', expiresOn: at(3_600_000) },
        { vault: V, name: 'Later', expiresOn: at(20 * DAY + 5000) }
      ],
      thirtyDays,
      NOW
    )
    expect(notices.map(({ name, state, days }) => ({ name, state, days }))).toEqual([
      { name: 'gone', state: 'expired', days: 3 },
      { name: 'today', state: 'expiring', days: 0 },
      { name: 'later', state: 'expiring', days: 20 }
    ])
  })
})

describe('fail-on-expired', () => {
  const secrets = [
    { vault: V, name: 'soon', expiresOn: at(5 * DAY) },
    { vault: V, name: 'gone', expiresOn: new Date('2026-05-01T00:00:00Z') }
  ]

  test('without it, an expired secret is a notice', () => {
    expect(decideExpiry(secrets, rules('30d'), NOW).map((notice) => notice.state)).toEqual(['expired', 'expiring'])
  })

  test('with it, an expired secret throws, naming only the expired ones', () => {
    const error = thrownBy(() => decideExpiry(secrets, rules('30d', 'true'), NOW))
    expect(error).toBeInstanceOf(SecretsExpired)
    expect((error as SecretsExpired).expired.map((notice) => notice.name)).toEqual(['gone'])
  })

  test('with it, a secret only within the window does not throw', () => {
    expect(decideExpiry([{ vault: V, name: 'soon', expiresOn: at(DAY) }], rules('30d', 'true'), NOW)).toHaveLength(1)
  })

  test('the failure names the secret, the day and how to extend it', () => {
    setInputs({ 'vault-name': 'contoso-kv', 'secret-name': 'gone' })
    const { inputs } = readInputs({})
    const error = thrownBy(() => decideExpiry(secrets, rules('30d', 'true'), NOW))
    expect(explainFailure(error, { inputs })).toBe(
      "Secret 'gone' in vault 'contoso-kv' expired on 2026-05-01 ('fail-on-expired: true'), so the step failed and nothing was exported. " +
        "Extend it (az keyvault secret set-attributes --vault-name contoso-kv --name gone --expires <YYYY-MM-DDThh:mm:ssZ>), or store a new version with a later expiry ('operation: set' with 'expires')."
    )
  })

  test('several expired secrets are named in one message, at most ten of them', () => {
    const many = Array.from({ length: 12 }, (_, i) => ({ vault: V, name: `old-${i}`, expiresOn: at(-(i + 1) * DAY) }))
    const message = explainFailure(thrownBy(() => decideExpiry(many, rules('0', 'true'), NOW)))
    expect(message).toMatch(
      /^12 secrets in vault 'contoso-kv' have expired \('fail-on-expired: true'\), so the step failed and nothing was exported: 'old-11' on 2026-05-20, /
    )
    expect(message).toContain(', and 2 more. Extend each (az keyvault secret set-attributes')
    expect(message).not.toContain("'old-0'")
  })
})

describe('secrets of several vaults', () => {
  test('the same name in two vaults is noticed twice, each with its vault', () => {
    const notices = expiryNotices(
      [
        { vault: 'kv-a', name: 'db-password', expiresOn: at(DAY) },
        { vault: 'kv-b', name: 'db-password', expiresOn: at(DAY) }
      ],
      rules('30d'),
      NOW
    )
    expect(notices.map((notice) => notice.vault)).toEqual(['kv-a', 'kv-b'])
    expect(expiryWarnings(notices, rules('30d'), 'read').map((warning) => warning.slice(0, 48))).toEqual([
      "Secret 'db-password' in vault 'kv-a' expires on ",
      "Secret 'db-password' in vault 'kv-b' expires on "
    ])
  })

  test('fail-on-expired over two vaults names each secret with its vault', () => {
    const message = explainFailure(
      thrownBy(() =>
        decideExpiry(
          [
            { vault: 'kv-a', name: 'old', expiresOn: at(-DAY) },
            { vault: 'kv-b', name: 'older', expiresOn: at(-2 * DAY) }
          ],
          rules('0', 'true'),
          NOW
        )
      )
    )
    expect(message).toBe(
      "2 secrets have expired ('fail-on-expired: true'), so the step failed and nothing was exported: 'kv-b/older' on 2026-05-30, 'kv-a/old' on 2026-05-31. " +
        "Extend each (az keyvault secret set-attributes --vault-name <vault> --name <name> --expires <YYYY-MM-DDThh:mm:ssZ>), or store new versions with a later expiry ('operation: set' with 'expires')."
    )
  })
})

describe('what the step says of them', () => {
  const notices = expiryNotices(
    [
      { vault: V, name: 'api-key', expiresOn: new Date('2026-06-13T08:00:00Z') },
      { vault: V, name: 'db-password', expiresOn: new Date('2026-05-01T00:00:00Z') }
    ],
    rules('30d'),
    NOW
  )

  test('a warning names the secret, the day (UTC) and the command that extends it', () => {
    expect(expiryWarnings(notices, rules('30d'), 'read')).toEqual([
      "Secret 'db-password' in vault 'contoso-kv' expired on 2026-05-01 (31 days ago). Key Vault returned it all the same, and may refuse to read it at any time (403 SecretExpired). " +
        "Extend it (az keyvault secret set-attributes --vault-name contoso-kv --name db-password --expires <YYYY-MM-DDThh:mm:ssZ>) or store a new version. 'fail-on-expired: true' fails the step instead.",
      "Secret 'api-key' in vault 'contoso-kv' expires on 2026-06-13 (in 11 days; 'expiry-warning' is 30d). " +
        'Extend it (az keyvault secret set-attributes --vault-name contoso-kv --name api-key --expires <YYYY-MM-DDThh:mm:ssZ>) or store a new version.'
    ])
  })

  test('a listed secret is not said to have been returned', () => {
    expect(expiryWarnings(notices, rules('30d'), 'listed')[0]).toContain(
      'Key Vault may refuse to read it (403 SecretExpired), or still return it.'
    )
  })

  test('output expiring: name and expires (ISO 8601), soonest first', () => {
    expect(JSON.parse(expiringOutput(notices))).toEqual([
      { name: 'db-password', expires: '2026-05-01T00:00:00.000Z' },
      { name: 'api-key', expires: '2026-06-13T08:00:00.000Z' }
    ])
    expect(expiringOutput([])).toBe('[]')
  })

  test('the summary cell: the moment, and its state when noticed', () => {
    expect(expiresCell({ vault: V, name: 'db-password', expiresOn: new Date('2026-05-01T00:00:00Z') }, notices)).toBe(
      '2026-05-01T00:00:00.000Z (expired)'
    )
    expect(expiresCell({ vault: V, name: 'API-KEY', expiresOn: new Date('2026-06-13T08:00:00Z') }, notices)).toBe(
      '2026-06-13T08:00:00.000Z (expires in 11 days)'
    )
    expect(expiresCell({ vault: V, name: 'other', expiresOn: new Date('2026-06-13T08:00:00Z') }, notices)).toBe(
      '2026-06-13T08:00:00.000Z'
    )
    expect(expiresCell({ vault: V, name: 'never' }, notices)).toBe('never')
  })
})

describe('the certificate read from a secret', () => {
  const certificate = { vault: V, name: 'site-cert', expiresOn: at(5 * DAY), certificate: true }

  test("its notAfter, when it comes first, is noticed as the certificate's, with renewal advice", () => {
    const notices = expiryNotices([certificate], rules('30d'), NOW)
    expect(notices).toEqual([
      { vault: V, name: 'site-cert', expires: certificate.expiresOn, state: 'expiring', days: 5, certificate: true }
    ])
    expect(expiryWarnings(notices, rules('30d'), 'read')).toEqual([
      "The certificate in secret 'site-cert' in vault 'contoso-kv' expires on 2026-06-06 (in 5 days; 'expiry-warning' is 30d). " +
        'Renew it and store the new certificate in the secret (a Key Vault certificate renews by its policy, or az keyvault certificate import --vault-name contoso-kv --name site-cert --file <new.pfx|new.pem>).'
    ])
    expect(JSON.parse(expiringOutput(notices))).toEqual([
      { name: 'site-cert', expires: '2026-06-06T12:00:00.000Z', certificate: true }
    ])
    expect(expiresCell(certificate, notices)).toBe('2026-06-06T12:00:00.000Z (certificate) (expires in 5 days)')
  })

  test("the certificate's notAfter counts only where it comes before the secret's expiry, or the secret has none", () => {
    const vault = { url: 'https://contoso-kv.vault.azure.net', name: V, input: 'vault-name' as const }
    const notAfter = at(10 * DAY)
    expect(datedOf({ name: 'a', vault, expiresOn: at(20 * DAY), certificate: { notAfter } })).toEqual({
      name: 'a',
      vault: V,
      expiresOn: notAfter,
      certificate: true
    })
    expect(datedOf({ name: 'b', vault, certificate: { notAfter } })).toMatchObject({
      expiresOn: notAfter,
      certificate: true
    })
    expect(datedOf({ name: 'c', vault, expiresOn: at(DAY), certificate: { notAfter } })).toEqual({
      name: 'c',
      vault: V,
      expiresOn: at(DAY)
    })
  })

  test('an expired one fails the step with fail-on-expired, saying it is the certificate', () => {
    const expired = { ...certificate, expiresOn: at(-2 * DAY) }
    const message = explainFailure(thrownBy(() => decideExpiry([expired], rules('30d', 'true'), NOW)))
    expect(message).toMatch(
      /^The certificate in secret 'site-cert' in vault 'contoso-kv' expired on 2026-05-30 \('fail-on-expired: true'\), so the step failed and nothing was exported\. Renew it/
    )
    const two = explainFailure(
      thrownBy(() => decideExpiry([expired, { vault: V, name: 'db', expiresOn: at(-DAY) }], rules('30d', 'true'), NOW))
    )
    expect(two).toContain("'site-cert' (its certificate) on 2026-05-30")
    expect(two).toMatch(/; renew a certificate and store it anew\.$/)
  })
})
