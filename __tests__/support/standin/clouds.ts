/** The Azure clouds the stand-in plays: where their sign-in and vaults live, and what tokens say. */
export type CloudName = 'AzureCloud' | 'AzureChinaCloud' | 'AzureUSGovernment'

export interface CloudProfile {
  readonly name: CloudName
  /** Host of the Microsoft Entra ID authority (as in `authorityHost` and the vault's challenge). */
  readonly loginHost: string
  /**
   * Other hosts that serve the same authority. MSAL's built-in metadata sends China token requests
   * to `login.partner.microsoftonline.cn` (the preferred network alias of login.chinacloudapi.cn).
   */
  readonly loginAliases: readonly string[]
  /** DNS suffix of vault hosts, with the leading dot: `{vault}{vaultSuffix}`. */
  readonly vaultSuffix: string
  /** The resource (token audience) of Key Vault in this cloud, as named in the 401 challenge. */
  readonly vaultResource: string
  /** `iss` of v1 access tokens this cloud's Entra ID issues, for a tenant. */
  readonly tokenIssuer: (tenantId: string) => string
}

export const CloudProfiles: Readonly<Record<CloudName, CloudProfile>> = {
  AzureCloud: {
    name: 'AzureCloud',
    loginHost: 'login.microsoftonline.com',
    loginAliases: [],
    vaultSuffix: '.vault.azure.net',
    vaultResource: 'https://vault.azure.net',
    tokenIssuer: (tenantId) => `https://sts.windows.net/${tenantId}/`
  },
  AzureChinaCloud: {
    name: 'AzureChinaCloud',
    loginHost: 'login.chinacloudapi.cn',
    loginAliases: ['login.partner.microsoftonline.cn'],
    vaultSuffix: '.vault.azure.cn',
    vaultResource: 'https://vault.azure.cn',
    tokenIssuer: (tenantId) => `https://sts.chinacloudapi.cn/${tenantId}/`
  },
  AzureUSGovernment: {
    name: 'AzureUSGovernment',
    loginHost: 'login.microsoftonline.us',
    loginAliases: [],
    vaultSuffix: '.vault.usgovcloudapi.net',
    vaultResource: 'https://vault.usgovcloudapi.net',
    tokenIssuer: (tenantId) => `https://login.microsoftonline.us/${tenantId}/`
  }
}

export const AllClouds: readonly CloudProfile[] = Object.values(CloudProfiles)

export function cloudByLoginHost(host: string): CloudProfile | undefined {
  return AllClouds.find((cloud) => cloud.loginHost === host || cloud.loginAliases.includes(host))
}

/** Splits `contoso-kv.vault.azure.net` into the vault name and its cloud; undefined for other hosts. */
export function parseVaultHost(host: string): { name: string; cloud: CloudProfile } | undefined {
  for (const cloud of AllClouds) {
    if (host.endsWith(cloud.vaultSuffix)) {
      const name = host.slice(0, -cloud.vaultSuffix.length)
      if (name && !name.includes('.')) return { name, cloud }
    }
  }
  return undefined
}

/** The GitHub Actions OIDC token service answers on any host under this suffix. */
export const GitHubActionsSuffix = '.actions.githubusercontent.com'
export const GitHubIssuer = 'https://token.actions.githubusercontent.com'
