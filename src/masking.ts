import * as core from '@actions/core'
import { jsonStrings } from './json.js'

/**
 * What to register with the runner so a value never shows, without masking unrelated text. The
 * runner replaces every registered string anywhere in the log, so registering `}` or `a` turns
 * every brace or letter a of the job into ***.
 * - A value of one line is registered whole, whatever its length (and trimmed, if that differs:
 *   the runner trims the command line it reads).
 * - A value of several lines is registered line by line, each trimmed line of at least
 *   `minLength` characters, and not whole: since actions/runner#1521 (2.286) the runner registers
 *   each line of a whole multi-line value itself, short ones included. Line by line also covers
 *   older runners, which registered only the whole value (CVE-2021-32074).
 * - With `jsonLeaves`, the string leaves of a JSON object value of at least `minLength`: a later
 *   step that prints one field would otherwise show it.
 */
export function masksFor(value: string, minLength: number, options: { readonly jsonLeaves?: boolean } = {}): string[] {
  if (value === '') return []
  const lines = value.split(/\r\n|\r|\n/)
  const masks =
    lines.length === 1
      ? [value, value.trim()].filter(Boolean)
      : lines.map((line) => line.trim()).filter((line) => line.length >= minLength)
  if (options.jsonLeaves) masks.push(...stringLeaves(value).flatMap((leaf) => leafMasks(leaf, minLength)))
  return [...new Set(masks)]
}

/** A part of a value (a JSON leaf) is registered only where it is at least `minLength` long. */
export const leafMasks = (leaf: string, minLength: number): string[] =>
  masksFor(leaf, minLength).filter((mask) => mask.length >= minLength)

/** Registers the masks of a value (see masksFor). */
export function maskValue(value: string | undefined, minLength: number): void {
  if (value === undefined) return
  for (const mask of masksFor(value, minLength)) core.setSecret(mask)
}

/** A one-line value this short is masked whole, which can hide unrelated text in the log: worth a word. */
export const isShortForMasking = (value: string, minLength: number): boolean =>
  value !== '' && !/[\r\n]/.test(value) && value.length < minLength

function stringLeaves(value: string): string[] {
  let parsed: unknown
  try {
    parsed = JSON.parse(value)
  } catch {
    return []
  }
  // Without recursion: a value of 25 KiB can nest 25,000 levels deep.
  return typeof parsed === 'object' && parsed !== null ? jsonStrings(parsed) : []
}
