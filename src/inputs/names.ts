/** Key Vault's naming rules, checked before any request so a typo fails fast and clearly. */

const SECRET_NAME = /^[0-9a-zA-Z-]{1,127}$/
// 3-24 characters, starts with a letter, ends with a letter or digit, no two dashes in a row.
const VAULT_NAME = /^(?=.{3,24}$)[a-zA-Z](?!.*--)[a-zA-Z0-9-]*[a-zA-Z0-9]$/
const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/
// A tenant may also be named by one of its domains, e.g. contoso.onmicrosoft.com.
const DOMAIN = /^(?=.{1,253}$)([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]{2,63}$/
// A DNS host name (labels of 1-63 letters, digits and dashes, 253 characters in all), or an IP literal.
const HOST_NAME =
  /^(?=.{1,253}\.?$)[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*\.?$|^\[[0-9a-fA-F:.]+\]$/

export const SecretNameRule = '1-127 characters: letters, digits and dashes'
export const VaultNameRule =
  '3-24 characters: letters, digits and dashes, starting with a letter, ending with a letter or digit, no two dashes in a row'

export const isSecretName = (name: string): boolean => SECRET_NAME.test(name)
export const isVaultName = (name: string): boolean => VAULT_NAME.test(name)
export const isGuid = (value: string): boolean => GUID.test(value)
export const isTenant = (value: string): boolean => GUID.test(value) || DOMAIN.test(value)
export const isHostName = (value: string): boolean => HOST_NAME.test(value)
