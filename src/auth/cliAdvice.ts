import { Inputs } from '../inputs/table.js'
import type { AzureCliFailure } from './azureCli.js'

/** The action's own OIDC sign-in, which needs no CLI: the way out of most CLI failures. */
const OwnOidc = `give '${Inputs.ClientId}' and '${Inputs.TenantId}' (with 'permissions: id-token: write') and the action signs in with OIDC itself: no CLI needed, a fresh GitHub ID token each step, and faster`

/**
 * A failure of the Azure CLI session as a workflow author fixes it: which step is missing or too
 * early, which tenant to sign in to; az's own first ERROR line (with its AADSTS code) kept.
 * `serviceText` makes az's words safe to quote (one line, bounded).
 */
export function explainAzureCli(error: AzureCliFailure, serviceText: (text: string) => string): string {
  // Entra ID's sentence ends where "Trace ID" begins (as explainEntraError cuts it).
  const said = error.azError ? ` az said: ${serviceText(`ERROR: ${error.azError}`).replace(/\s+Trace ID:.*$/, '')}` : ''
  switch (error.kind) {
    case 'not-installed':
      return `The Azure CLI is not installed on this runner, so '${Inputs.AuthType}: azure-cli' has no session to use (container and many self-hosted runners have no CLI). Either ${OwnOidc}; or install the CLI and run azure/login earlier in this job.`
    case 'no-session':
      return (
        `The Azure CLI on this runner has no session: no azure/login step ran earlier in this job (every job starts signed out; a session from another job does not carry over).${said} ` +
        `Add an azure/login step before this one, in the same job; or ${OwnOidc}.`
      )
    case 'expired-assertion':
      return (
        `The Azure CLI session that azure/login left can no longer get a token for the vault: the GitHub ID token it signed in with has expired (they last about 5 minutes), and the CLI had no token for Key Vault yet (AADSTS700024).${said} ` +
        `Either ${OwnOidc}; or run this step sooner after azure/login (Azure/login issue 180).`
      )
    case 'other-tenant': {
      const session = error.sessionTenant ? `tenant ${error.sessionTenant}` : 'another tenant'
      const vault = error.tenantAsked ? `tenant ${error.tenantAsked}` : "the vault's tenant"
      return (
        `The Azure CLI session is signed in to ${session}, but the vault is in ${vault}, as its answer says${error.code ? ` (AADSTS${error.code})` : ''}.${said} ` +
        `Sign in to ${vault} with azure/login ('tenant-id: ${error.tenantAsked ?? '<the vault tenant>'}'), with an identity that exists there; or read from a vault of ${session}.`
      )
    }
    case 'other':
      return `Signing in with the Azure CLI session of an earlier step failed.${said} Check the azure/login step of this job; or ${OwnOidc}.`
  }
}
