import { SignInMethodNames } from './signInPlan.js'
import { CloudNames } from '../clouds.js'
import { IfDeletedChoices, Operations, type Operation } from '../constants.js'
import { EnvFileFormats } from '../envFile.js'
import { GitHubOrgVisibilities, GitHubSecretStores } from './githubNames.js'
import { CharsetNames, GenerateLength } from './generate.js'

/**
 * Every input of the action, once: its name (action.yml's, a public contract), how it is read, its
 * default, the operations that use it, whether it is secret and the variable it falls back to.
 * The table drives reading and validation, the "only used with" errors, the masking of secret
 * inputs before anything else happens, and the tests that keep action.yml, the README's inputs
 * table and the hostile-input table equal to it.
 */
interface Spec {
  /** As action.yml declares it. */
  readonly name: string
  /** `text` is trimmed as the runner's toolkit trims it; `value` is taken byte for byte. */
  readonly kind: 'text' | 'value' | 'boolean' | 'choice' | 'number'
  /** As action.yml declares it; what an empty input means. */
  readonly default?: string
  /** The operations that use it; given to another, it is an error before any request. */
  readonly usedBy: readonly Operation[] | 'every'
  /** Accepted and ignored with other operations (refusing it now would break workflows that pass it). */
  readonly ignoredElsewhere?: true
  /** The error for another operation, when it says more than "only used with ...". */
  readonly notUsed?: (operation: Operation) => string | undefined
  /** More for the "only used with" error: where to go instead. */
  readonly usedByHint?: string
  /** Registered with the runner's masking before anything else is read or printed. */
  readonly secret?: true
  /** A JSON input whose fields are secrets of their own (azure/login's `creds`). */
  readonly secretJsonFields?: readonly string[]
  /** The variable read when the input is empty, as the Azure SDKs name it. */
  readonly envFallback?: string
  readonly choices?: readonly string[]
  readonly bounds?: { readonly min: number; readonly max: number }
}

// A healthy run takes seconds. Five minutes leaves room for a minute of throttling waits and every
// retry of a failing request (at most 15 s of backoff each), and still ends a hung step long before
// GitHub's six-hour job limit. One hour at most: a step that needs more has a problem to report.
const TimeoutBounds = { min: 1, max: 3600 } as const

// 100 secrets at 40 ms per request (`npm run bench`, 11 interleaved runs): 32 -> 613 ms, 48 -> 582 ms,
// 64 -> 552 ms, 100 -> slower again (each connection's TLS handshake costs CPU on a 2-vCPU runner).
const ConcurrencyBounds = { min: 1, max: 64 } as const

const SetOnly = ['set'] as const
/** The operations whose secrets can go on to GitHub: those read (`get`) or written (`set`). */
const Syncing = ['get', 'set'] as const
const Targets = ['get', 'delete', 'recover', 'purge'] as const
/** The operations that see secrets' properties (expiry dates, tags): those they read (`get`) or list. */
const Reading = ['get', 'list'] as const

export const InputTable = {
  VaultName: { name: 'vault-name', kind: 'text', usedBy: 'every' },
  VaultUrl: { name: 'vault-url', kind: 'text', usedBy: 'every' },
  Operation: { name: 'operation', kind: 'choice', choices: Operations, default: 'get', usedBy: 'every' },
  SecretName: {
    name: 'secret-name',
    kind: 'text',
    usedBy: ['get', 'set', 'delete', 'recover', 'purge'],
    notUsed: (operation) =>
      operation === 'list'
        ? `Input 'secret-name' is not used with 'operation: list', which lists every secret. Remove it, or give 'secrets' to list only the secrets it names (globs such as app-* too).`
        : undefined
  },
  Secrets: {
    name: 'secrets',
    kind: 'text',
    usedBy: [...Targets, 'list'],
    // `set` is the only operation without it.
    notUsed: () => `Input 'secrets' is not used with 'operation: set'; give 'secret-name'.`
  },
  MatchTags: { name: 'match-tags', kind: 'text', usedBy: Reading },
  Files: { name: 'files', kind: 'text', usedBy: ['get'] },
  ParseJson: { name: 'parse-json', kind: 'boolean', default: 'false', usedBy: ['get'], ignoredElsewhere: true },
  IgnoreMissing: { name: 'ignore-missing', kind: 'boolean', default: 'false', usedBy: Targets, ignoredElsewhere: true },
  ExpiryWarning: { name: 'expiry-warning', kind: 'text', default: '30d', usedBy: Reading },
  FailOnExpired: { name: 'fail-on-expired', kind: 'boolean', default: 'false', usedBy: Reading },
  Concurrency: { name: 'concurrency', kind: 'number', bounds: ConcurrencyBounds, default: '64', usedBy: 'every' },
  SecretValue: { name: 'secret-value', kind: 'value', usedBy: SetOnly, secret: true },
  SecretValueFile: { name: 'secret-value-file', kind: 'text', usedBy: SetOnly },
  Generate: { name: 'generate', kind: 'boolean', default: 'false', usedBy: SetOnly },
  GenerateLength: {
    name: 'generate-length',
    kind: 'number',
    bounds: { min: GenerateLength.min, max: GenerateLength.max },
    default: String(GenerateLength.fallback),
    usedBy: SetOnly
  },
  GenerateCharset: {
    name: 'generate-charset',
    kind: 'choice',
    choices: CharsetNames,
    default: 'alphanumeric',
    usedBy: SetOnly
  },
  ContentType: { name: 'content-type', kind: 'text', usedBy: SetOnly },
  Tags: { name: 'tags', kind: 'text', usedBy: SetOnly },
  Expires: { name: 'expires', kind: 'text', usedBy: SetOnly },
  NotBefore: { name: 'not-before', kind: 'text', usedBy: SetOnly },
  Enabled: { name: 'enabled', kind: 'boolean', usedBy: SetOnly },
  SkipUnchanged: { name: 'skip-unchanged', kind: 'boolean', default: 'false', usedBy: SetOnly },
  IfDeleted: { name: 'if-deleted', kind: 'choice', choices: IfDeletedChoices, default: 'fail', usedBy: SetOnly },
  Wait: {
    name: 'wait',
    kind: 'boolean',
    default: 'true',
    usedBy: ['delete', 'recover', 'purge'],
    ignoredElsewhere: true
  },
  Purge: {
    name: 'purge',
    kind: 'boolean',
    default: 'false',
    usedBy: ['delete'],
    usedByHint: "(for a deleted secret, use 'operation: purge')"
  },
  ClientId: { name: 'client-id', kind: 'text', usedBy: 'every', envFallback: 'AZURE_CLIENT_ID' },
  TenantId: { name: 'tenant-id', kind: 'text', usedBy: 'every', envFallback: 'AZURE_TENANT_ID' },
  ClientSecret: {
    name: 'client-secret',
    kind: 'text',
    usedBy: 'every',
    secret: true,
    envFallback: 'AZURE_CLIENT_SECRET'
  },
  Creds: { name: 'creds', kind: 'text', usedBy: 'every', secret: true, secretJsonFields: ['clientSecret'] },
  AuthType: {
    name: 'auth-type',
    kind: 'choice',
    choices: ['auto', ...SignInMethodNames],
    default: 'auto',
    usedBy: 'every'
  },
  Audience: { name: 'audience', kind: 'text', default: 'api://AzureADTokenExchange', usedBy: 'every' },
  Environment: { name: 'environment', kind: 'choice', choices: CloudNames, default: 'AzureCloud', usedBy: 'every' },
  ExportEnv: { name: 'export-env', kind: 'boolean', default: 'false', usedBy: ['get'] },
  EnvFile: { name: 'env-file', kind: 'text', usedBy: ['get'] },
  EnvFileFormat: {
    name: 'env-file-format',
    kind: 'choice',
    choices: EnvFileFormats,
    default: 'dotenv',
    usedBy: ['get']
  },
  Summary: { name: 'summary', kind: 'boolean', default: 'true', usedBy: 'every' },
  Timeout: { name: 'timeout', kind: 'number', bounds: TimeoutBounds, default: '300', usedBy: 'every' },
  MinMaskLength: {
    name: 'min-mask-length',
    kind: 'number',
    bounds: { min: 1, max: 64 },
    default: '4',
    usedBy: 'every'
  },
  TagProvenance: { name: 'tag-provenance', kind: 'boolean', default: 'false', usedBy: SetOnly },
  GitHubSecrets: { name: 'github-secrets', kind: 'text', usedBy: Syncing },
  GitHubToken: { name: 'github-token', kind: 'text', usedBy: Syncing, secret: true },
  GitHubRepository: { name: 'github-repository', kind: 'text', usedBy: Syncing, envFallback: 'GITHUB_REPOSITORY' },
  GitHubEnvironment: { name: 'github-environment', kind: 'text', usedBy: Syncing },
  GitHubOrg: { name: 'github-org', kind: 'text', usedBy: Syncing },
  GitHubOrgVisibility: {
    name: 'github-org-visibility',
    kind: 'choice',
    choices: GitHubOrgVisibilities,
    default: 'private',
    usedBy: Syncing
  },
  GitHubSelectedRepositories: { name: 'github-selected-repositories', kind: 'text', usedBy: Syncing },
  GitHubSecretStore: {
    name: 'github-secret-store',
    kind: 'choice',
    choices: GitHubSecretStores,
    default: 'actions',
    usedBy: Syncing
  }
} as const satisfies Record<string, Spec>

export type InputKey = keyof typeof InputTable
export type InputSpec = Spec

/** Input names, exactly as action.yml declares them: `Inputs.VaultName` is `'vault-name'`. */
export const Inputs = Object.fromEntries(Object.entries(InputTable).map(([key, spec]) => [key, spec.name])) as {
  readonly [K in InputKey]: (typeof InputTable)[K]['name']
}

/** Every spec, for the code that goes through all of them (masking, "only used with", the tests). */
export const InputSpecs: readonly Spec[] = Object.values(InputTable)

export type AuthType = (typeof InputTable.AuthType.choices)[number]

/** The environment variables the sign-in inputs fall back to, as the Azure SDKs name them. */
export const EnvFallbacks = {
  ClientId: InputTable.ClientId.envFallback,
  TenantId: InputTable.TenantId.envFallback,
  ClientSecret: InputTable.ClientSecret.envFallback
} as const
