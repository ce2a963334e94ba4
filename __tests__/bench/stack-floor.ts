/**
 * The floor of the decided stack: what any implementation of this action pays to start before its
 * first request. It loads @actions/core, @azure/identity's OIDC credential and the Key Vault client,
 * builds them, and exits. `npm run bench` bundles it with ncc the way dist/ is built and times it.
 */
import * as core from '@actions/core'
import { ClientAssertionCredential } from '@azure/identity'
import { SecretClient } from '@azure/keyvault-secrets'

const credential = new ClientAssertionCredential('tenant', 'client', () =>
  core.getIDToken('api://AzureADTokenExchange')
)
const client = new SecretClient('https://stack-floor.vault.azure.net', credential)
core.debug(`built ${client.vaultUrl}`)
