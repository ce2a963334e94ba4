/**
 * fast-check arbitraries that lean on what breaks naive handling of secrets and inputs: workflow
 * command syntax and its escapes, line breaks of every kind, heredoc delimiters, JSON, shell and
 * HTML syntax, unicode that looks like whitespace or reorders text, and control characters. Random
 * unicode strings are mixed in, so the constants are not the only thing tried.
 *
 * Every property test takes its options from `propertyOptions`: a fixed seed, so a failure is
 * reproducible, and a fifth of its full number of runs unless FC_FULL=1 asks for all of them (the
 * nightly and release jobs do). FC_SEED and FC_RUNS try other seeds and counts.
 */
import fc from 'fast-check'

/** The seed every property test runs with unless FC_SEED says otherwise. */
export const DEFAULT_SEED = 20_251_129

/** A property runs this many times fewer by default than in full. */
export const QuickShare = 5

/**
 * Seed and number of runs of a property whose full run is `numRuns`: by default a fifth of it (at
 * least one), all of it with FC_FULL=1; FC_RUNS sets the number outright, FC_SEED the seed.
 */
export function propertyOptions(numRuns: number): { seed: number; numRuns: number } {
  const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : DEFAULT_SEED
  const runs = process.env.FC_RUNS
    ? Number(process.env.FC_RUNS)
    : process.env.FC_FULL === '1'
      ? numRuns
      : Math.max(1, Math.ceil(numRuns / QuickShare))
  return { seed, numRuns: runs }
}

export const LineBreaks = ['\n', '\r\n', '\r'] as const

/** Fragments without a line break. */
export const InlineFragments = [
  // workflow commands and their escapes
  '%',
  '%25',
  '%0A',
  '%0D',
  '%3A',
  '%2C',
  '%%0A',
  '::',
  '::error::',
  '::add-mask::',
  '::set-output name=x::',
  '::stop-commands::tok',
  '::tok::',
  '##[error]',
  '::debug::',
  // file-command heredocs
  'EOF',
  '<<EOF',
  'value<<EOF',
  'ghadelimiter_',
  'ghadelimiter_7f3c2e1a-9b8d-4c6e-a5f4-3b2a1c0d9e8f',
  'x=y',
  '=',
  // variables that would steer later steps
  'PATH=/tmp/evil',
  'GITHUB_ENV=/tmp/x',
  'NODE_OPTIONS=--require /tmp/x.js',
  'LD_PRELOAD=/tmp/x.so',
  // JSON, shell, HTML, expressions
  '{',
  '}',
  '[',
  ']',
  '"',
  "'",
  '\\',
  '\\n',
  '{"a":"b"}',
  '[1,"x",null]',
  ':',
  ',',
  '#',
  '$(id)',
  '`id`',
  '${{ secrets.X }}',
  '<b>',
  '</td>',
  '&amp;',
  '|',
  // unicode: accents, emoji, scripts, invisible and bidi characters, spaces that are not ASCII
  'pässwörd',
  '🔑',
  '👩‍💻',
  'ключ',
  '鍵',
  'مفتاح',
  'e\u0301',
  '\u200b',
  '\u00a0',
  '\u2028',
  '\u2029',
  '\u0085',
  '\ufeff',
  '\u202e',
  '\u3000',
  // control characters
  '\u0007',
  '\u001b[31m',
  '\u0000',
  '\u007f',
  '\u0008',
  // spaces and tabs
  ' ',
  '   ',
  '\t'
] as const

/** Any text: hostile fragments, line breaks and random unicode (any code point but lone surrogates). */
export function hostileText(maxParts = 16): fc.Arbitrary<string> {
  const part = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...InlineFragments) },
    { weight: 2, arbitrary: fc.constantFrom(...LineBreaks) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 6 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }) },
    { weight: 1, arbitrary: fc.string({ maxLength: 10 }) }
  )
  return fc.array(part, { maxLength: maxParts }).map((parts) => parts.join(''))
}

/** A secret name Key Vault accepts: 1-127 letters, digits and dashes. */
export const secretName = fc.stringMatching(/^[0-9A-Za-z-]{1,20}$/)

/** An alias a `secrets` entry may give (`ALIAS=name`). */
export const secretAlias = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_-]{0,12}$/)
