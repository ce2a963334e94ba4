import { randomInt } from 'node:crypto'

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
const DIGITS = '0123456789'

/** Printable ASCII (! to ~) without the quotes that break shell and config quoting; no whitespace. */
const PRINTABLE = Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) => String.fromCharCode(0x21 + i))
  .filter((char) => !`"'\``.includes(char))
  .join('')

/** The characters each `generate-charset` draws from. */
export const Charsets = {
  alphanumeric: LETTERS + DIGITS,
  printable: PRINTABLE,
  hex: '0123456789abcdef',
  base64url: `${LETTERS}${DIGITS}-_`
} as const

export type Charset = keyof typeof Charsets
export const CharsetNames = Object.keys(Charsets) as Charset[]

/** The `generate-length` input's bounds and default, which its row in inputs/table.ts takes. */
export const GenerateLength = { min: 8, max: 4096, fallback: 32 } as const

/**
 * A new secret value from the operating system's CSPRNG. `randomInt` draws by rejection sampling,
 * so every character of the set is equally likely (no modulo bias).
 */
export function generateSecretValue(length: number, charset: Charset): string {
  const alphabet = Charsets[charset]
  let value = ''
  for (let i = 0; i < length; i++) value += alphabet.charAt(randomInt(alphabet.length))
  return value
}
