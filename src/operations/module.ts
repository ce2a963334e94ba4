import type { SecretClient } from '@azure/keyvault-secrets'
import type { Cloud } from '../clouds.js'
import type { GitHubTarget } from '../github/client.js'
import type { SignInSettings } from '../inputs/signIn.js'
import type { Operation } from '../constants.js'
import type { Vault } from '../inputs/vault.js'
import type { Applied } from '../publish/apply.js'
import type { Publication } from '../publish/publication.js'
import type { TransitionClock } from '../vault/transitions.js'
import type { WriteRecord } from '../writeRecord.js'
import type { SyncSource } from '../inputs/githubPlan.js'

/** What a step wrote to GitHub. */
export interface GitHubOutcome {
  /** `repository octo-org/app`, ... */
  readonly where: string
  /** The GitHub secrets written (upper-case names, as GitHub stores them) and the Key Vault secret of each, in order. */
  readonly written: readonly { readonly githubName: string; readonly source: string }[]
}

/** What an operation needs from the vault, in both of Key Vault's permission models. */
export interface Permission {
  /** The access policy's secret permission. */
  readonly policy: string
  /** The built-in RBAC role that grants it. */
  readonly role: string
  readonly dataAction: string
}

/**
 * What a failure means for one operation, where that differs between operations: the failure
 * explanations (src/failures/) ask the operation's module, so a new operation cannot silently get
 * another's advice. An operation that writes on to GitHub must say what a GitHub refusal left unwritten.
 */
export type OperationAdvice<Own> = AdviceCore<Own> &
  ('github' extends keyof Own
    ? {
        /** What "Nothing was written to ..." names when GitHub refused before the first write. */
        readonly nothingWrittenTo: string
      }
    : { readonly nothingWrittenTo?: undefined })

interface AdviceCore<Own> {
  /** What the vault's 404 to this operation's request means, and what to do. */
  readonly notFound: (where: NotFoundIn) => string
  /** Purge protection refused a purge this step made: what to do instead (the message's last sentence). */
  readonly purgeProtected: string
  /** The one secret the step names, when it names exactly one, so a failure can say which. */
  readonly loneSecret: (inputs: Own) => string | undefined
}

/** Where a 404 came from, as its message names it. */
export interface NotFoundIn {
  readonly vault: string
  readonly secret: string
  /** `vault-name` or `vault-url`: the input that named the vault. */
  readonly vaultInput: string
}

/** The inputs every operation reads. */
export interface CommonInputs {
  /** `environment`: the cloud of the vault and of the sign-in. */
  readonly cloud: Cloud
  readonly vault: Vault
  /** How to sign in, as given; planSignIn decides the method(s) from it. */
  readonly signIn: SignInSettings
  /** How many requests to the vault may be in flight at once. */
  readonly concurrency: number
  /** Write the job summary. */
  readonly summary: boolean
  /** Seconds the whole run may take, retries and waits included. */
  readonly timeout: number
  /** Lines and JSON leaves shorter than this are not masked on their own; a one-line value always is, whole. */
  readonly minMaskLength: number
}

/** What an operation's own inputs are read with. */
export interface ReadContext {
  readonly env: NodeJS.ProcessEnv
  readonly cloud: Cloud
  /** `vault-name` or `vault-url`, when given. */
  readonly vault?: Vault
}

export type Cell = string | { readonly data: string; readonly header: true }
export type Row = readonly Cell[]

export interface RunContext {
  /** Paces retries of writes and purges that meet a purge, recover or delete the vault is still finishing. */
  readonly clock: TransitionClock
  /** Now, for deciding which secrets have expired or expire soon (tests give a fixed moment). */
  readonly now: () => Date
  /** With `github-secrets`: the GitHub scope, its public key already answered. */
  readonly github?: GitHubTarget
  /** The client of a vault a full identifier names (one per vault, one sign-in for all); the step's vault's is `client`. */
  readonly clientFor: (vault: Vault) => SecretClient
  /** Every write outside the step as it completes (Key Vault versions), for a failure that comes after it. */
  readonly written: WriteRecord
}

/**
 * `github-secrets`: what an operation that reads it writes on to GitHub. main.ts writes it only
 * after `decide` has run, so every check that can fail the step comes before the first GitHub write.
 */
export interface GitHubHandOff<Own, Out> {
  /** The secrets a sync can name, those `ignore-missing` skipped, and why a secret may not have been read (a sentence). */
  readonly sources: (
    outcome: Out,
    inputs: Own & CommonInputs
  ) => { readonly sources: readonly SyncSource[]; readonly missing?: readonly string[]; readonly whyNotRead?: string }
  /** The outcome with what was written, for `decide`, the log and the summary. */
  readonly record: (outcome: Out, github: GitHubOutcome) => Out
  /** The Key Vault version GitHub gets a copy of (`set`), named when GitHub's writes stop part-way. */
  readonly copied?: (outcome: Out) => { readonly secretName: string; readonly version: string }
}

/**
 * One operation, whole: adding one is a module like this, its entry in OperationModules, and its
 * inputs in the table. A missing piece is a compile error: an operation whose inputs have
 * `github` (github-secrets) must say what it hands on to GitHub.
 */
export type OperationModule<Own, Out extends { readonly operation: Operation }> = OperationCore<Own, Out> &
  ('github' extends keyof Own ? { readonly gitHub: GitHubHandOff<Own, Out> } : { readonly gitHub?: undefined })

interface OperationCore<Own, Out extends { readonly operation: Operation }> {
  readonly permission: Permission
  /** What its failures mean where that differs from other operations' (src/failures/ asks). */
  readonly advice: OperationAdvice<Own>
  /**
   * Reads this operation's own inputs (its targets by its own rules), after the common ones and the
   * check that no other operation's input was given. Values it brings into being (a generated
   * value, a file's content) come back to be masked before anything else happens.
   */
  readonly readInputs: (context: ReadContext) => {
    readonly own: Own
    readonly newSecrets?: readonly string[]
    /** The step's vault, when the operation found it in its own inputs (a `get` of full identifiers only). */
    readonly vault?: Vault
  }
  /** Without `vault-name` or `vault-url` the step is still whole (every secret named by its identifier). */
  readonly vaultOptional?: true
  /** The work with the vault; every request finishes before anything is handed on. */
  readonly run: (client: SecretClient, inputs: Own & CommonInputs, context: RunContext) => Promise<Out>
  /** What later steps receive: decided in full, by a pure function, before any of it is written. */
  readonly decide: (outcome: Out, inputs: Own & CommonInputs, environment: NodeJS.ProcessEnv) => Publication
  /** The log lines that say what was done, by name and version, never by value. */
  readonly log: (vault: Vault, outcome: Out) => readonly string[]
  /** The job summary's table: a header row, then a row per secret. Cells are text (summary.ts escapes them). */
  readonly summary: (outcome: Out, publication: Publication, applied: Applied, vault: Vault) => readonly Row[]
}

export const header = (...titles: string[]): Row => titles.map((data) => ({ data, header: true }) as const)
