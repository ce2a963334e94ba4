import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import type { StandIn } from './standin/index.js'

export interface FakeAzOptions {
  readonly tenantId: string
  /** The app or identity `az login` signed in as (the token's appid). */
  readonly appId: string
  /** Default https://vault.azure.net. */
  readonly resource?: string
  /** false: answer like a CLI without a session ("Please run 'az login'"). Default true. */
  readonly loggedIn?: boolean
}

export interface FakeAz {
  /** Folder holding the `az` script; put it first on PATH. */
  readonly binDir: string
  /** PATH with binDir first, for RunOptions.env. */
  readonly path: string
  /** Argument lists of every call so far, one array per call. */
  calls(): string[][]
  /** Deletes the folder. */
  remove(): void
}

const shellQuote = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`

/**
 * A stand-in `az` for AzureCliCredential: `az account get-access-token --output json --resource R
 * [--tenant T]` prints a token minted by the stand-in now (valid about an hour), in the CLI's JSON
 * shape. Every call's arguments are appended to a log for assertions.
 */
export function writeFakeAzCli(standIn: StandIn, options: FakeAzOptions): FakeAz {
  const binDir = mkdtempSync(join(tmpdir(), 'fake-az-'))
  const callLog = join(binDir, 'calls.log')
  const minted = standIn.mintAccessToken({
    tenantId: options.tenantId,
    appId: options.appId,
    ...(options.resource !== undefined && { resource: options.resource })
  })
  const expiresOn = new Date(minted.expiresOn * 1000)
  const localTime = `${expiresOn.toISOString().replace('T', ' ').replace('Z', '')}000`
  const response = JSON.stringify(
    {
      accessToken: minted.token,
      expiresOn: localTime,
      expires_on: minted.expiresOn,
      subscription: '00000000-0000-0000-0000-00000000cafe',
      tenant: options.tenantId,
      tokenType: 'Bearer'
    },
    null,
    2
  )
  const script = [
    '#!/bin/sh',
    `printf '%s\\n' "$*" >> ${shellQuote(callLog)}`,
    options.loggedIn === false
      ? `echo "ERROR: Please run 'az login' to setup account." >&2; exit 1`
      : [
          'if [ "$1" = "account" ] && [ "$2" = "get-access-token" ]; then',
          `  printf '%s\\n' ${shellQuote(response)}`,
          '  exit 0',
          'fi',
          `echo "ERROR: fake az does not know: $*" >&2`,
          'exit 2'
        ].join('\n'),
    ''
  ].join('\n')
  const azPath = join(binDir, 'az')
  writeFileSync(azPath, script)
  chmodSync(azPath, 0o755)
  return {
    binDir,
    path: [binDir, process.env.PATH ?? ''].join(delimiter),
    calls: () =>
      existsSync(callLog)
        ? readFileSync(callLog, 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((line) => line.split(' '))
        : [],
    remove: () => rmSync(binDir, { recursive: true, force: true })
  }
}
