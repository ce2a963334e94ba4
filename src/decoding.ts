/**
 * Binary secrets stored as text: `#base64` and `#hex` decode a value (an Android keystore, a GPG
 * key, a Java truststore) to the bytes it stands for. Strict: text that is not exactly one of these
 * encodings is refused with the reason, never with the text. Imports nothing.
 */

export const Decodings = ['base64', 'hex'] as const
export type Decoding = (typeof Decodings)[number]

export const isDecoding = (word: string): word is Decoding => (Decodings as readonly string[]).includes(word)

/** The bytes, or why the text is not of that encoding (never quoting it). */
export type Decoded = { readonly bytes: Buffer } | { readonly refusal: string }

/** Decodes `text` by `decoding`; whitespace and line breaks are ignored. */
export function decodeText(text: string, decoding: Decoding): Decoded {
  const compact = text.replace(/[ \t\r\n\f\v]+/g, '')
  return decoding === 'base64' ? decodeBase64(compact) : decodeHex(compact)
}

/**
 * Base64 in the standard (`+/`) or the URL-safe (`-_`) alphabet, not both, with its `=` padding or
 * without it. The bits past the last whole byte must be zero, as an encoder writes them, so each
 * accepted text stands for exactly one byte string.
 */
function decodeBase64(compact: string): Decoded {
  const outside = /[^A-Za-z0-9+/\-_=]/.exec(compact)
  if (outside) return { refusal: `character ${outside.index + 1} is not in the base64 alphabets` }
  if (/[+/]/.test(compact) && /[-_]/.test(compact))
    return { refusal: 'it mixes the standard (+/) and the URL-safe (-_) base64 alphabets' }
  const body = compact.replace(/=+$/, '')
  const padding = compact.length - body.length
  if (body.includes('=')) return { refusal: "'=' (padding) appears before the end" }
  if (body.length % 4 === 1) return { refusal: `${body.length} base64 characters make no whole bytes` }
  if (padding > 0 && (padding > 2 || compact.length % 4 !== 0))
    return { refusal: 'its padding does not make a multiple of 4 characters' }
  const standard = body.replace(/-/g, '+').replace(/_/g, '/')
  const bytes = Buffer.from(standard, 'base64')
  // Node ignores stray bits; an encoder never writes them.
  if (bytes.toString('base64').replace(/=+$/, '') !== standard)
    return { refusal: 'its last character has bits set past the last byte, which no encoder writes' }
  return { bytes }
}

function decodeHex(compact: string): Decoded {
  const outside = /[^0-9A-Fa-f]/.exec(compact)
  if (outside) return { refusal: `character ${outside.index + 1} is not a hexadecimal digit` }
  if (compact.length % 2 === 1)
    return { refusal: `${compact.length} hexadecimal digits (an odd number) make no whole bytes` }
  return { bytes: Buffer.from(compact, 'hex') }
}

/** The bytes as UTF-8 text, or undefined when they are not valid UTF-8. */
export function utf8Text(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes)
  } catch {
    return undefined
  }
}
