import { readFileSync, statSync } from 'node:fs'
import { resolve } from 'node:path'
import type { IfDeleted } from '../constants.js'
import { ActionError } from '../errors.js'
import { quote } from '../text.js'
import { AttributeLimits, parseMoment, parseTags } from './attributes.js'
import { ProvenanceTags } from './githubNames.js'
import { generateSecretValue } from './generate.js'
import { readBoolean, readChoice, readNumber, readRaw, readText } from './read.js'
import { InputTable, Inputs } from './table.js'

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
  /** `tag-provenance`: tag the new version with the run that wrote it. */
  readonly provenance: boolean
  readonly ifDeleted: IfDeleted
}

// Key Vault rejects values over 25 KB; checking here keeps the value out of a service error.
const MAX_SECRET_BYTES = 25 * 1024

/**
 * Reads what `set` writes. A value read from its file or generated is returned with the request,
 * to be masked before anything else happens (`secret-value` was masked with the secret inputs).
 */
export function readSetRequest(
  now = new Date(),
  env: NodeJS.ProcessEnv = process.env
): {
  readonly request: SetRequest
  readonly newSecrets: readonly string[]
} {
  const length = readNumber(InputTable.GenerateLength)
  const charset = readChoice(InputTable.GenerateCharset)
  const ifDeleted = readChoice(InputTable.IfDeleted)
  const generate = readBoolean(InputTable.Generate)
  const skipUnchanged = readBoolean(InputTable.SkipUnchanged)
  const secretValue = readRaw(InputTable.SecretValue)
  const valueFile = readText(InputTable.SecretValueFile)
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
  const expiresOn = readMoment(InputTable.Expires, now)
  const notBefore = readMoment(InputTable.NotBefore, now)
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
  const tagsText = readText(InputTable.Tags)
  const properties = {
    contentType: readContentType(),
    tags: tagsText ? parseTags(Inputs.Tags, tagsText) : undefined,
    expiresOn,
    notBefore,
    enabled: readBoolean(InputTable.Enabled)
  }
  const provenance = readBoolean(InputTable.TagProvenance)
  if (provenance) checkProvenance(properties.tags, env)
  // Last, once every other input is valid: a refused step has read no file and generated nothing.
  const value = generate ? generateSecretValue(length, charset) : valueFile ? readValueFile(valueFile) : secretValue
  checkSize(value)
  const request: SetRequest = { value, generated: generate, ...properties, skipUnchanged, ifDeleted, provenance }
  return { request, newSecrets: value === secretValue ? [] : [value] }
}

/** The provenance tags fit beside the given ones, and the run's variables they come from are there. */
function checkProvenance(tags: Readonly<Record<string, string>> | undefined, env: NodeJS.ProcessEnv): void {
  const missing = Object.values(ProvenanceTags).filter((name) => !env[name])
  if (missing.length > 0)
    throw new ActionError(
      `Input '${Inputs.TagProvenance}' tags the version with the run that wrote it, from ${missing.join(', ')}, which ${missing.length === 1 ? 'is' : 'are'} not set: the step is not running in GitHub Actions. Remove '${Inputs.TagProvenance}'.`
    )
  const given = new Set(Object.keys(tags ?? {}).map((key) => key.toLowerCase()))
  const added = Object.keys(ProvenanceTags).filter((key) => !given.has(key))
  if (given.size + added.length > AttributeLimits.tags)
    throw new ActionError(
      `Inputs '${Inputs.Tags}' and '${Inputs.TagProvenance}' give ${given.size + added.length} tags (${given.size} and ${added.length} of ${Object.keys(ProvenanceTags).join(', ')}); ` +
        `Key Vault accepts at most ${AttributeLimits.tags} per secret. Remove ${given.size + added.length - AttributeLimits.tags} from '${Inputs.Tags}'.`
    )
}

function readMoment(spec: typeof InputTable.Expires | typeof InputTable.NotBefore, now: Date): Date | undefined {
  const raw = readText(spec)
  return raw ? parseMoment(spec.name, raw, now) : undefined
}

function readContentType(): string | undefined {
  const raw = readText(InputTable.ContentType)
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
