import * as core from '@actions/core'
import { readFileSync, statSync } from 'node:fs'
import { resolve } from 'node:path'
import { AttributeLimits, parseMoment, parseTags } from './attributes.js'
import { IfDeletedChoices, Inputs, type IfDeleted, type Operation } from './constants.js'
import { ActionError, quote } from './errors.js'
import { CharsetNames, GenerateLength, generateSecretValue } from './generate.js'
import { notUsedWith, readBoolean, readChoice, readWholeNumber } from './inputReaders.js'
import { maskValue } from './masking.js'

/** What `set` writes: the value and the properties of the new version. */
export interface SetRequest {
  readonly value: string
  /** The value was generated here, so later steps get it as output `value`. */
  readonly generated: boolean
  readonly contentType?: string
  readonly tags?: Readonly<Record<string, string>>
  readonly expiresOn?: Date
  readonly notBefore?: Date
  readonly enabled?: boolean
  /** Write nothing when the current value and content type already match. */
  readonly skipUnchanged: boolean
  readonly ifDeleted: IfDeleted
}

// Key Vault rejects values over 25 KB; checking here keeps the value out of a service error.
const MAX_SECRET_BYTES = 25 * 1024

/** Inputs that only `set` uses and that have no default in action.yml. */
const SetOnlyInputs = [
  Inputs.SecretValueFile,
  Inputs.ContentType,
  Inputs.Tags,
  Inputs.Expires,
  Inputs.NotBefore,
  Inputs.Enabled
] as const

/**
 * Reads what `set` writes, or checks that none of it was given to another operation. A value is
 * masked the moment it exists: read from its file, or generated.
 */
export function readSetRequest(operation: Operation, minMaskLength: number, now = new Date()): SetRequest | undefined {
  // Validated whatever the operation, so a typo never waits for the day it matters.
  const length = readWholeNumber(Inputs.GenerateLength, GenerateLength)
  const charset = readChoice(Inputs.GenerateCharset, CharsetNames, 'alphanumeric')
  const ifDeleted = readChoice(Inputs.IfDeleted, IfDeletedChoices, 'fail')
  const generate = readBoolean(Inputs.Generate, false)
  const skipUnchanged = readBoolean(Inputs.SkipUnchanged, false)
  const secretValue = core.getInput(Inputs.SecretValue, { trimWhitespace: false })

  if (operation !== 'set') {
    // Inputs with a default in action.yml count as given when they differ from it.
    const given = [
      ...(secretValue ? [Inputs.SecretValue] : []),
      ...(generate ? [Inputs.Generate] : []),
      ...(skipUnchanged ? [Inputs.SkipUnchanged] : []),
      ...(length !== GenerateLength.fallback ? [Inputs.GenerateLength] : []),
      ...(charset !== 'alphanumeric' ? [Inputs.GenerateCharset] : []),
      ...(ifDeleted !== 'fail' ? [Inputs.IfDeleted] : []),
      ...SetOnlyInputs.filter((input) => core.getInput(input) !== '')
    ]
    if (given[0]) throw notUsedWith(given[0], operation, `'${Inputs.Operation}: set'`)
    return undefined
  }

  const valueFile = core.getInput(Inputs.SecretValueFile)
  const sources = [
    secretValue && Inputs.SecretValue,
    valueFile && Inputs.SecretValueFile,
    generate && Inputs.Generate
  ].filter(Boolean)
  if (sources.length !== 1) {
    const which =
      sources.length === 0 ? 'none was given' : `${sources.map((input) => `'${input}'`).join(' and ')} were given`
    throw new ActionError(
      `'${Inputs.Operation}: set' needs exactly one value source: '${Inputs.SecretValue}', '${Inputs.SecretValueFile}' or '${Inputs.Generate}: true'; ${which}.`
    )
  }
  if (generate && skipUnchanged) {
    throw new ActionError(
      `Input '${Inputs.SkipUnchanged}' compares a given value with the stored one; a generated value is always new. Remove one of '${Inputs.SkipUnchanged}' and '${Inputs.Generate}'.`
    )
  }
  // secret-value was masked with the other sensitive inputs; a read or generated value is masked here.
  const value = generate ? generateSecretValue(length, charset) : valueFile ? readValueFile(valueFile) : secretValue
  if (value !== secretValue) maskValue(value, minMaskLength)
  checkSize(value)

  const expiresOn = readMoment(Inputs.Expires, now)
  const notBefore = readMoment(Inputs.NotBefore, now)
  if (expiresOn && expiresOn.getTime() <= now.getTime()) {
    throw new ActionError(
      `Input '${Inputs.Expires}' is ${expiresOn.toISOString()}, which has already passed. Give a moment in the future, e.g. 90d.`
    )
  }
  if (expiresOn && notBefore && notBefore.getTime() >= expiresOn.getTime()) {
    throw new ActionError(
      `Input '${Inputs.NotBefore}' (${notBefore.toISOString()}) is not before '${Inputs.Expires}' (${expiresOn.toISOString()}); the secret would never be valid.`
    )
  }
  const tagsText = core.getInput(Inputs.Tags)
  return {
    value,
    generated: generate,
    contentType: readContentType(),
    tags: tagsText ? parseTags(Inputs.Tags, tagsText) : undefined,
    expiresOn,
    notBefore,
    enabled: readBoolean(Inputs.Enabled, undefined),
    skipUnchanged,
    ifDeleted
  }
}

function readMoment(input: string, now: Date): Date | undefined {
  const raw = core.getInput(input)
  return raw ? parseMoment(input, raw, now) : undefined
}

function readContentType(): string | undefined {
  const raw = core.getInput(Inputs.ContentType)
  if (!raw) return undefined
  if (raw.length > AttributeLimits.contentTypeLength || /\p{Cc}/u.test(raw)) {
    throw new ActionError(
      `Input '${Inputs.ContentType}' has an invalid value ${quote(raw)}. Accepted: one line of at most ${AttributeLimits.contentTypeLength} characters, e.g. text/plain.`
    )
  }
  return raw
}

/** The file's bytes as they are (a trailing newline included), provided they are UTF-8 text. */
function readValueFile(path: string): string {
  const fullPath = resolve(path)
  let bytes: Buffer
  try {
    const stats = statSync(fullPath)
    if (stats.isDirectory()) throw Object.assign(new Error('is a folder'), { code: 'EISDIR' })
    const size = stats.size
    if (size > MAX_SECRET_BYTES) {
      throw new ActionError(
        `Input '${Inputs.SecretValueFile}': ${quote(path)} is ${size} bytes long; Key Vault accepts at most ${MAX_SECRET_BYTES} bytes.`
      )
    }
    bytes = readFileSync(fullPath)
  } catch (error) {
    if (error instanceof ActionError) throw error
    const code = (error as { code?: string }).code
    const why =
      code === 'ENOENT'
        ? 'does not exist'
        : code === 'EISDIR'
          ? 'is a folder'
          : `cannot be read (${code ?? 'unknown error'})`
    throw new ActionError(
      `Input '${Inputs.SecretValueFile}': the file ${quote(path)} ${why}. Give the path of a file with the value, relative to the workspace.`
    )
  }
  const value = bytes.toString('utf8')
  if (!Buffer.from(value, 'utf8').equals(bytes)) {
    throw new ActionError(
      `Input '${Inputs.SecretValueFile}': the file ${quote(path)} is not UTF-8 text. Key Vault stores text; base64-encode binary content (and set '${Inputs.ContentType}').`
    )
  }
  if (value === '')
    throw new ActionError(
      `Input '${Inputs.SecretValueFile}': the file ${quote(path)} is empty. Give a file that holds the value.`
    )
  return value
}

function checkSize(value: string): void {
  const bytes = Buffer.byteLength(value, 'utf8')
  if (bytes > MAX_SECRET_BYTES) {
    throw new ActionError(
      `Input '${Inputs.SecretValue}' is ${bytes} bytes long; Key Vault accepts at most ${MAX_SECRET_BYTES} bytes.`
    )
  }
}
