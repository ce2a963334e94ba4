/** Input names, exactly as action.yml declares them: a public contract. */
export const Inputs = {
  VaultName: 'vault-name',
  VaultUrl: 'vault-url',
  Operation: 'operation',
  SecretName: 'secret-name',
  SecretValue: 'secret-value',
  ClientId: 'client-id',
  TenantId: 'tenant-id',
  ClientSecret: 'client-secret',
  Creds: 'creds',
  AuthType: 'auth-type',
  Audience: 'audience',
  Environment: 'environment',
  ExportEnv: 'export-env',
  Summary: 'summary',
  Secrets: 'secrets',
  IgnoreMissing: 'ignore-missing',
  Concurrency: 'concurrency',
  ParseJson: 'parse-json',
  Files: 'files',
  SecretValueFile: 'secret-value-file',
  Generate: 'generate',
  GenerateLength: 'generate-length',
  GenerateCharset: 'generate-charset',
  ContentType: 'content-type',
  Tags: 'tags',
  Expires: 'expires',
  NotBefore: 'not-before',
  Enabled: 'enabled',
  SkipUnchanged: 'skip-unchanged',
  IfDeleted: 'if-deleted',
  Wait: 'wait',
  Purge: 'purge',
  Timeout: 'timeout',
  MinMaskLength: 'min-mask-length'
} as const

/** Output names, exactly as action.yml declares them. */
export const Outputs = {
  Value: 'value',
  Version: 'version',
  Id: 'id',
  RecoveryId: 'recovery-id',
  DeletedOn: 'deleted-on',
  ScheduledPurgeDate: 'scheduled-purge-date',
  Names: 'names',
  Count: 'count',
  Files: 'files',
  Changed: 'changed'
} as const

/** What the main step leaves for the post step. */
export const State = {
  /** Set as the main step starts: the runner runs dist/index.js again as the post step. */
  IsPost: 'isPost',
  WrittenFiles: 'written-files'
} as const

/** Environment variables the sign-in inputs fall back to, as the Azure SDKs name them. */
export const EnvFallbacks = {
  ClientId: 'AZURE_CLIENT_ID',
  TenantId: 'AZURE_TENANT_ID',
  ClientSecret: 'AZURE_CLIENT_SECRET'
} as const

/** Present only when the job has `permissions: id-token: write`. */
export const OidcRequestEnv = {
  Url: 'ACTIONS_ID_TOKEN_REQUEST_URL',
  Token: 'ACTIONS_ID_TOKEN_REQUEST_TOKEN'
} as const

export const Operations = ['get', 'set', 'delete', 'list', 'recover', 'purge'] as const
export type Operation = (typeof Operations)[number]

export const AuthTypes = ['auto', 'oidc', 'service-principal', 'azure-cli', 'managed-identity'] as const
export type AuthType = (typeof AuthTypes)[number]

/** What `set` does when the name belongs to a soft-deleted secret. */
export const IfDeletedChoices = ['fail', 'recover', 'purge'] as const
export type IfDeleted = (typeof IfDeletedChoices)[number]
