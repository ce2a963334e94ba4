/** The sovereign clouds this action can sign in to, and where their vaults live. */
export interface Cloud {
  readonly name: string
  readonly authorityHost: string
  readonly vaultDnsSuffix: string
}

export const Clouds: Readonly<Record<string, Cloud>> = {
  AzureCloud: {
    name: 'AzureCloud',
    authorityHost: 'https://login.microsoftonline.com',
    vaultDnsSuffix: 'vault.azure.net'
  },
  AzureChinaCloud: {
    name: 'AzureChinaCloud',
    authorityHost: 'https://login.chinacloudapi.cn',
    vaultDnsSuffix: 'vault.azure.cn'
  },
  AzureUSGovernment: {
    name: 'AzureUSGovernment',
    authorityHost: 'https://login.microsoftonline.us',
    vaultDnsSuffix: 'vault.usgovcloudapi.net'
  }
}

export const CloudNames = Object.keys(Clouds)

/** The scope of a token for the cloud's vaults: what Key Vault's challenge names (its `resource`). */
export const vaultScope = (cloud: Cloud): string => `https://${cloud.vaultDnsSuffix}/.default`
