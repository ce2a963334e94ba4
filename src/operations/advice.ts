import type { SecretEntry } from '../inputs/entries.js'
import { Inputs } from '../inputs/table.js'
import type { NotFoundIn } from './module.js'

/**
 * The pieces of OperationAdvice that several operations share; each module says which are its own.
 */

/** A 404 to a request for a secret: it does not exist (or was deleted). */
export const secretNotFound = ({ vault, secret, vaultInput }: NotFoundIn): string =>
  `Secret '${secret}' was not found in vault '${vault}'. Check '${Inputs.SecretName}' and '${vaultInput}'. ` +
  `If it was deleted recently, recover it: az keyvault secret recover --vault-name ${vault} --name ${secret}`

/** A 404 to a request for a deleted secret (`recover`, `purge`). */
export const noDeletedSecret =
  (operation: 'recover' | 'purge') =>
  ({ vault, secret }: NotFoundIn): string =>
    `Vault '${vault}' has no deleted secret named '${secret}' to ${operation}. It may never have been deleted, may already be recovered or purged, ` +
    `or its delete may still be in progress. List the deleted secrets: az keyvault secret list-deleted --vault-name ${vault}`

/** After purge protection refused a purge the step's operation does not itself ask for. */
export const recoverInstead = `Recover it instead ('${Inputs.Operation}: recover'), or wait for the scheduled purge.`

/** The one secret named, when exactly one target is given and it is not a glob. */
export function loneTarget({ targets }: { readonly targets: readonly SecretEntry[] }): string | undefined {
  const exact = targets.filter((target) => !target.isGlob)
  return targets.length === 1 ? exact[0]?.name : undefined
}
