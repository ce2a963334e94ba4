import type { KeyVaultSecret } from '@azure/keyvault-secrets'
import type { CertificateInfo } from '../../certificates/info.js'
import type { ExpiryNotice } from '../../expiry.js'
import type { ExpiryRules } from '../../inputs/expiry.js'
import type { FileSecret } from '../../files.js'
import type { FileEntry, SecretEntry } from '../../inputs/entries.js'
import type { GitHubSync } from '../../inputs/github.js'
import type { TagFilter } from '../../inputs/tags.js'
import type { EnvFileInput } from '../../inputs/targets.js'
import type { Vault } from '../../inputs/vault.js'
import type { GitHubOutcome } from '../module.js'
import type { TagNarrowing } from '../shared.js'

export interface GetInputs {
  /** `secret-name`, or the entries of `secrets`; none when `files` alone names what to read. */
  readonly targets: readonly SecretEntry[]
  /** `match-tags`: a glob matches only the secrets that carry these tags; absent, every secret. */
  readonly matchTags?: TagFilter
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
  /** The entry as written (a glob's matches have none of their own). */
  readonly text?: string
  /** The prefix alias of the glob that found it (`KV_*=*`): it goes out as `KV_<name>`. */
  readonly prefix?: string
  /** Found by a glob rather than named: a refused variable name is skipped, not an error. */
  readonly fromGlob: boolean
  /** The value handed on: the whole value, or what `#...` selected (a field, a certificate's part, a decoded value). */
  readonly value: string
  /** With a selection: the whole value it came from, masked all the same. */
  readonly wholeValue?: string
  /** Other text from the secret, masked line by line (every block of a certificate, Key Vault's PEM of it). */
  readonly alsoMasked?: readonly string[]
  /** `#word`: a JSON field path, a certificate's part, or a decoding. */
  readonly field?: readonly string[]
  /** What `#word` turned out to be, once the secret was read. */
  readonly selection?: 'field' | 'part' | 'decoding'
  /** When a certificate's part was selected: its leaf certificate. */
  readonly certificate?: CertificateInfo
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
  /** With `match-tags`: how many secrets the globs matched, and how many carried the tags. */
  readonly narrowing?: TagNarrowing
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
  allowMissing: boolean,
  /** `outContentType`: a certificate-backed PKCS#12 secret read as PEM, converted by Key Vault. */
  outContentType?: string
) => Promise<(KeyVaultSecret & { readonly value: string }) | undefined>
