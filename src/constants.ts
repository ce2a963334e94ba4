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
  EnvFile: 'env-file',
  Changed: 'changed',
  GitHubSecretsWritten: 'github-secrets-written',
  SecretsInfo: 'secrets-info',
  Expiring: 'expiring',
  Certificates: 'certificates'
} as const

/** What the main step leaves for the post step. */
export const State = {
  WrittenFiles: 'written-files'
} as const

/** Present only when the job has `permissions: id-token: write`. */
export const OidcRequestEnv = {
  Url: 'ACTIONS_ID_TOKEN_REQUEST_URL',
  Token: 'ACTIONS_ID_TOKEN_REQUEST_TOKEN'
} as const

export const Operations = ['get', 'set', 'delete', 'list', 'recover', 'purge'] as const
export type Operation = (typeof Operations)[number]

/** What `set` does when the name belongs to a soft-deleted secret. */
export const IfDeletedChoices = ['fail', 'recover', 'purge'] as const
export type IfDeleted = (typeof IfDeletedChoices)[number]
