import type { KeyVaultSecret } from '@azure/keyvault-secrets'
import type { ExpiryNotice } from '../../expiry.js'
import type { ExpiryRules } from '../../inputs/expiry.js'
import type { FileSecret } from '../../files.js'
import type { FileEntry, SecretEntry } from '../../inputs/entries.js'
import type { GitHubSync } from '../../inputs/github.js'
import type { EnvFileInput } from '../../inputs/targets.js'
import type { Vault } from '../../inputs/vault.js'
import type { GitHubOutcome } from '../module.js'

export interface GetInputs {
  /** `secret-name`, or the entries of `secrets`; none when `files` alone names what to read. */
  readonly targets: readonly SecretEntry[]
  /** Secrets to write to files. */
  readonly files: readonly FileEntry[]
  /** Also export each value as an environment variable. */
  readonly exportEnv: boolean
  /** `env-file`: write those variables (named as `export-env` names them, with or without it) to one file. */
  readonly envFile?: EnvFileInput
  /** A JSON object value goes out as one entry per leaf. */
  readonly parseJson: boolean
  /** A missing secret is a warning, not a failure. */
  readonly ignoreMissing: boolean
  /** `github-secrets`: values to write on to GitHub. */
  readonly github?: GitHubSync
  /** `expiry-warning` and `fail-on-expired`. */
  readonly expiry: ExpiryRules
}

/** A secret `get` read; its value is masked before any use. */
export interface ReadSecret {
  readonly name: string
  readonly alias?: string
  /** The prefix alias of the glob that found it (`KV_*=*`): it goes out as `KV_<name>`. */
  readonly prefix?: string
  /** Found by a glob rather than named: a refused variable name is skipped, not an error. */
  readonly fromGlob: boolean
  /** The value handed on: the whole value, or the selected field's. */
  readonly value: string
  /** With a field: the whole value it came from, masked all the same. */
  readonly wholeValue?: string
  readonly field?: readonly string[]
  readonly vault: Vault
  readonly version: string
  readonly id: string
  /** When the version read expires, if it does. */
  readonly expiresOn?: Date
}

export interface GetOutcome {
  readonly operation: 'get'
  readonly secrets: readonly ReadSecret[]
  readonly files: readonly FileSecret[]
  readonly missing: readonly string[]
  /** Certificate-backed secrets a glob matched and did not read. */
  readonly certificatesSkipped: readonly string[]
  /** Names the vault listed that no secret can have: skipped. */
  readonly invalidNames: readonly string[]
  /** The secrets read (and files) that have expired or expire within `expiry-warning`, soonest first. */
  readonly expiry: readonly ExpiryNotice[]
  readonly github?: GitHubOutcome
}

/** A secret to read: a named entry, or one a glob found. */
export interface Target {
  readonly name: string
  readonly alias?: string
  readonly prefix?: string
  readonly version?: string
  readonly field?: readonly string[]
  /** The entry it came from, for messages; a glob's matches have none of their own. */
  readonly text?: string
  readonly vault: Vault
  readonly fromGlob: boolean
}

/** One read of a secret: undefined when it is missing and that is allowed (noted in `missing`). */
export type Read = (
  vault: Vault,
  name: string,
  version: string | undefined,
  allowMissing: boolean
) => Promise<(KeyVaultSecret & { readonly value: string }) | undefined>
