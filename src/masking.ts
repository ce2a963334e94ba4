import * as core from '@actions/core'

/**
 * Registers a value with the runner so it is replaced by *** in every later log line.
 * Each line is registered on its own too: older runners and some GHES versions register only the
 * whole value, so a multi-line value printed line by line would leak there (CVE-2021-32074).
 */
export function maskValue(value: string | undefined): void {
  if (!value) return
  core.setSecret(value)
  const lines = value.split(/\r?\n|\r/).map((line) => line.trim())
  for (const line of new Set(lines)) {
    if (line && line !== value) core.setSecret(line)
  }
}
