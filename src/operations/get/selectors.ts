import { bundleFromPem, CertificateProblem, type Bundle } from '../../certificates/bundle.js'
import { certificateInfo, type CertificateInfo } from '../../certificates/info.js'
import {
  bundleText,
  CertificateContentTypes,
  isCertificatePart,
  mediaTypeOf,
  partList,
  partText,
  type CertificatePart
} from '../../certificates/parts.js'
import { decodeText, Decodings, isDecoding, utf8Text, type Decoding } from '../../decoding.js'
import { ActionError } from '../../errors.js'
import { Inputs } from '../../inputs/table.js'
import { quote } from '../../text.js'
import { selectField } from './fields.js'

/*
 * What `name#word` selects, decided once the secret is read, by what it holds: a certificate (its
 * content type is application/x-pkcs12 or application/x-pem-file) takes a part, a JSON value a
 * field path, any other value `#base64` or `#hex`.
 */

/** The entry a selection belongs to, for messages. */
export interface Where {
  readonly name: string
  readonly entry: string
  readonly input: typeof Inputs.Secrets | typeof Inputs.Files
}

/** A secret as read: its value and content type. */
export interface Held {
  readonly value: string
  readonly contentType?: string
}

/** What was selected: text, or bytes (a PFX, a decoded value) with their text when they are UTF-8. */
export interface Selected {
  readonly kind: 'field' | 'part' | 'decoding'
  readonly text: string
  readonly bytes?: Buffer
  readonly certificate?: CertificateInfo
  /** Other text from the secret to mask line by line (the certificate's every block, Key Vault's PEM). */
  readonly alsoMasked: readonly string[]
}

/** How a certificate's secret becomes its key and certificates; PKCS#12 needs Key Vault's conversion or pkijs. */
export interface CertificateSource {
  /** Key Vault's PEM of a PKCS#12 secret (`outContentType`), when it converts this one. */
  readonly converted: () => Promise<string | undefined>
  /** Opens a PFX here (pkijs, loaded on first use). */
  readonly openPfx: (der: Buffer) => Promise<Bundle>
  readonly buildPfx: (bundle: Bundle) => Promise<Buffer>
}

const where$ = (where: Where): string => `Input '${where.input}', entry ${quote(where.entry)}`

export async function select(
  held: Held,
  field: readonly string[],
  where: Where,
  source: CertificateSource
): Promise<Selected> {
  const type = mediaTypeOf(held.contentType)
  const [word = ''] = field
  const single = field.length === 1
  if (type === CertificateContentTypes.pkcs12 || type === CertificateContentTypes.pem) {
    if (!single || !isCertificatePart(word)) throw notAPart(where, type, field)
    return certificatePart(held, type, word, where, source)
  }
  if (isStructuredJson(held.value))
    return { kind: 'field', text: selectField(held.value, field, where), alsoMasked: [] }
  if (single && isDecoding(word)) return decoded(held.value, word, where)
  if (single && isCertificatePart(word)) throw noCertificate(where, type, word)
  if (isJson(held.value)) return { kind: 'field', text: selectField(held.value, field, where), alsoMasked: [] }
  throw new ActionError(
    `${where$(where)}: secret '${where.name}' is not JSON, so the field ${quote(field.join('.'))} cannot be read from it. ` +
      `A value that is not JSON takes ${Decodings.map((decoding) => `'#${decoding}'`).join(' or ')} (decoded), and a certificate ` +
      `(content type ${CertificateContentTypes.pkcs12} or ${CertificateContentTypes.pem}) a part; or name the secret without '#${field.join('.')}' to read its whole value.`
  )
}

const isJson = (value: string): boolean => {
  try {
    JSON.parse(value)
    return true
  } catch {
    return false
  }
}

/** An object or an array: a value such as `123456` (a hex string of digits) is text, not a JSON document. */
const isStructuredJson = (value: string): boolean => /^\s*[[{]/.test(value) && isJson(value)

function notAPart(where: Where, type: string, field: readonly string[]): ActionError {
  return new ActionError(
    `${where$(where)}: secret '${where.name}' holds a certificate (content type ${type}), and ${quote(`#${field.join('.')}`)} is not one of its parts. ` +
      `Accepted: ${partList(where.input === Inputs.Files)}${where.input === Inputs.Files ? '' : ` (and #pfx in '${Inputs.Files}')`}.`
  )
}

function noCertificate(where: Where, type: string, part: CertificatePart): ActionError {
  return new ActionError(
    `${where$(where)}: secret '${where.name}' holds no certificate (${type ? `its content type is ${quote(type)}` : 'it has no content type'}; a certificate's is ` +
      `${CertificateContentTypes.pkcs12} or ${CertificateContentTypes.pem}), so it has no part '#${part}'. The parts (${partList(true)}) are a certificate's; ` +
      `any other value takes ${Decodings.map((decoding) => `'#${decoding}'`).join(' or ')}, and a JSON value a field path.`
  )
}

const DecodingRules: Readonly<Record<Decoding, string>> = {
  base64: 'base64 in the standard or the URL-safe alphabet, padding optional, whitespace and line breaks ignored',
  hex: 'hexadecimal digits, two per byte, whitespace and line breaks ignored'
}

function decoded(value: string, decoding: Decoding, where: Where): Selected {
  const result = decodeText(value, decoding)
  if ('refusal' in result)
    throw new ActionError(
      `${where$(where)}: secret '${where.name}' is not ${decoding} text (${result.refusal}; its value is not shown). '#${decoding}' takes ${DecodingRules[decoding]}.`
    )
  const text = utf8Text(result.bytes)
  if (where.input === Inputs.Secrets && text === undefined)
    throw new ActionError(
      `${where$(where)}: secret '${where.name}' decodes from ${decoding} to bytes that are not UTF-8 text, and an output or a variable holds text only. ` +
        `Write it to a file with '${Inputs.Files}' (path=${where.name}#${decoding}).`
    )
  return { kind: 'decoding', text: text ?? '', bytes: result.bytes, alsoMasked: [] }
}

async function certificatePart(
  held: Held,
  type: string,
  part: CertificatePart,
  where: Where,
  source: CertificateSource
): Promise<Selected> {
  try {
    const pkcs12 = type === CertificateContentTypes.pkcs12
    const stored = pkcs12 ? storedPfx(held.value) : undefined
    const converted = stored ? await source.converted() : undefined
    const bundle = stored && !hasPem(converted) ? await source.openPfx(stored) : bundleFromPem(converted ?? held.value)
    const alsoMasked = [bundleText(bundle), ...(converted ? [converted] : [])]
    const certificate = certificateInfo(bundle)
    if (part !== 'pfx') return { kind: 'part', text: partText(bundle, part), certificate, alsoMasked }
    if (where.input !== Inputs.Files) throw new CertificateProblem("'#pfx' is binary, for 'files' only")
    return { kind: 'part', text: '', bytes: stored ?? (await source.buildPfx(bundle)), certificate, alsoMasked }
  } catch (error) {
    if (!(error instanceof CertificateProblem)) throw error
    const asStored =
      part === 'pfx' && type === CertificateContentTypes.pkcs12
        ? ` To write the PFX as stored, name the secret without '#pfx' (path=${where.name}).`
        : ''
    throw new ActionError(
      `${where$(where)}: secret '${where.name}' (content type ${type}) gives no '#${part}': ${error.message}. Its value is not shown.${asStored}`
    )
  }
}

const hasPem = (text: string | undefined): text is string =>
  text !== undefined && /-----BEGIN [A-Z0-9 ]+-----/.test(text)

/** A PKCS#12 secret's value is the PFX in base64, as Key Vault stores it. */
function storedPfx(value: string): Buffer {
  const result = decodeText(value, 'base64')
  if ('refusal' in result || result.bytes.length === 0)
    throw new CertificateProblem(
      `its value is not a PFX in base64 (${'refusal' in result ? result.refusal : 'it is empty'})`
    )
  return result.bytes
}
