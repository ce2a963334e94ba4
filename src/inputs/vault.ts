import { Clouds, type Cloud } from '../clouds.js'
import { ActionError } from '../errors.js'
import { quote } from '../text.js'
import { isHostName, isVaultName, VaultNameRule } from './names.js'
import { readChoice, readText } from './read.js'
import { InputTable, Inputs } from './table.js'

export interface Vault {
  /** Origin of the vault, e.g. https://contoso-kv.vault.azure.net */
  readonly url: string
  /** What messages and `az` hints call the vault: its name, or its host when it is not under a cloud's vault suffix. */
  readonly name: string
  /** The input the vault came from, for messages that ask the user to check it (`secrets`, `files`: a full identifier). */
  readonly input: typeof Inputs.VaultName | typeof Inputs.VaultUrl | typeof Inputs.Secrets | typeof Inputs.Files
}

export function readCloud(): Cloud {
  return Clouds[readChoice(InputTable.Environment)] as Cloud
}

/** No `vault-name` or `vault-url`: the error, for an operation that needs the step's vault. */
export const NoVault = (options: { readonly identifiers?: boolean } = {}): ActionError =>
  new ActionError(
    `Input '${Inputs.VaultName}' is required (or '${Inputs.VaultUrl}' for the vault's URL). Give the vault's name, e.g. contoso-kv` +
      (options.identifiers
        ? `, or name every secret by its full identifier (https://<vault-name>.vault.azure.net/secrets/<name>).`
        : '.')
  )

/** `vault-name` or `vault-url`; undefined when neither is given (a `get` may name each secret by its full identifier). */
export function readVault(cloud: Cloud): Vault | undefined {
  const name = readText(InputTable.VaultName)
  const url = readText(InputTable.VaultUrl)
  if (name && url) {
    throw new ActionError(
      `Inputs '${Inputs.VaultName}' and '${Inputs.VaultUrl}' were both given. Give exactly one: the vault's name (e.g. contoso-kv) or its full URL.`
    )
  }
  if (url) return parseVaultUrl(url)
  if (!name) return undefined
  if (!isVaultName(name)) {
    throw new ActionError(
      `Input '${Inputs.VaultName}' has an invalid vault name ${quote(name)}. A vault name is ${VaultNameRule}.`
    )
  }
  return { url: `https://${name.toLowerCase()}.${cloud.vaultDnsSuffix}`, name, input: Inputs.VaultName }
}

function parseVaultUrl(raw: string): Vault {
  const invalid = (shown: string, why: string): ActionError =>
    new ActionError(
      `Input '${Inputs.VaultUrl}' is not a usable vault URL: ${shown} ${why}. Expected https://<vault-host>, e.g. https://contoso-kv.vault.azure.net.`
    )
  // Never echo a URL that may carry a password, even one that does not parse.
  const shown = raw.includes('@') ? 'the URL (not shown: it contains @, so it may carry a password)' : quote(raw)
  // The URL parser would silently drop tabs and line breaks, reading another host than the one written.
  if (/[\s\p{Cc}]/u.test(raw)) throw invalid(shown, 'contains whitespace or control characters')
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw invalid(shown, 'is not a URL')
  }
  if (url.username || url.password) throw invalid(`the URL for ${quote(url.host)}`, 'carries credentials')
  if (url.protocol !== 'https:') throw invalid(quote(raw), 'does not use https')
  if (url.pathname !== '/' || url.search || url.hash) throw invalid(quote(raw), 'has a path, query or fragment')
  // Checked before the name goes to DNS: the parser takes labels and names of any length.
  if (!isHostName(url.hostname)) throw invalid(quote(url.hostname), 'is not a valid host name')
  // A vault under a cloud's own DNS suffix is named by its first label, as `az --vault-name` expects.
  const underCloudSuffix = Object.values(Clouds).some((cloud) => url.hostname.endsWith(`.${cloud.vaultDnsSuffix}`))
  const name = underCloudSuffix ? (url.hostname.split('.')[0] ?? url.hostname) : url.hostname
  return { url: url.origin, name, input: Inputs.VaultUrl }
}
