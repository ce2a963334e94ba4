import type { KeyVaultSecret } from '@azure/keyvault-secrets'
import { CertificateContentTypes } from '../../certificates/parts.js'
import { buildPfx, openPfx } from '../../certificates/pkcs12.js'
import type { FileSecret } from '../../files.js'
import type { FileEntry } from '../../inputs/entries.js'
import { Inputs } from '../../inputs/table.js'
import type { Vault } from '../../inputs/vault.js'
import { validDate } from '../../vault/answers.js'
import { statusOf } from '../../vault/attempt.js'
import { SecretFailure } from '../../vault/secretFailure.js'
import type { CommonInputs } from '../module.js'
import { select, type CertificateSource, type Selected, type Where } from './selectors.js'
import type { GetInputs, Read, ReadSecret, Target } from './types.js'

type Fetched = KeyVaultSecret & { readonly value: string }

/** A `secrets` entry (or a glob's match) read: its value, or what `#...` selects of it. */
export async function readTarget(read: Read, target: Target, allowMissing: boolean): Promise<ReadSecret | undefined> {
  const secret = await read(target.vault, target.name, target.version, allowMissing)
  if (!secret) return undefined
  const where: Where = { name: target.name, entry: target.text ?? target.name, input: Inputs.Secrets }
  const selected = target.field
    ? await select(heldOf(secret), target.field, where, certificateSource(read, target.vault, target.name, secret))
    : undefined
  return {
    name: target.name,
    alias: target.alias,
    ...(target.text !== undefined && { text: target.text }),
    prefix: target.prefix,
    fromGlob: target.fromGlob,
    value: selected ? selected.text : secret.value,
    ...(target.field && selected && selectionOf(secret, target.field, selected)),
    vault: target.vault,
    version: secret.properties.version ?? '',
    id: secret.properties.id ?? '',
    expiresOn: validDate(secret.properties.expiresOn)
  }
}

/** A `files` entry read: the value as it is (with its content type), or what `#...` selects, as text or bytes. */
export async function readFile(
  read: Read,
  file: FileEntry,
  inputs: Pick<GetInputs & CommonInputs, 'vault' | 'ignoreMissing'>
): Promise<FileSecret | undefined> {
  const vault = file.vault ?? inputs.vault
  const secret = await read(vault, file.name, file.version, inputs.ignoreMissing)
  if (!secret) return undefined
  const expiresOn = validDate(secret.properties.expiresOn)
  if (!file.field)
    return { entry: file, vault, value: secret.value, contentType: secret.properties.contentType ?? '', expiresOn }
  const where: Where = { name: file.name, entry: file.text, input: Inputs.Files }
  const selected = await select(heldOf(secret), file.field, where, certificateSource(read, vault, file.name, secret))
  // What was selected has no content type of its own: the secret's describes the whole value.
  return {
    entry: file,
    vault,
    value: selected.text,
    ...selectionOf(secret, file.field, selected),
    ...(selected.bytes && { bytes: selected.bytes }),
    contentType: '',
    expiresOn
  }
}

const heldOf = (secret: Fetched) => ({ value: secret.value, contentType: secret.properties.contentType })

const selectionOf = (secret: Fetched, field: readonly string[], selected: Selected) => ({
  wholeValue: secret.value,
  field,
  selection: selected.kind,
  ...(selected.alsoMasked.length > 0 && { alsoMasked: selected.alsoMasked }),
  ...(selected.certificate && { certificate: selected.certificate })
})

/**
 * A PKCS#12 secret's key and certificates: Key Vault converts those that back its certificates
 * (`managed`) to PEM when asked (`outContentType`, the same version again); any other, or one it
 * refuses to convert (400), pkijs opens here. Loaded only when a certificate's part is selected.
 */
function certificateSource(read: Read, vault: Vault, name: string, secret: Fetched): CertificateSource {
  return {
    converted: async () => {
      if (secret.properties.managed !== true) return undefined
      try {
        const pem = await read(vault, name, secret.properties.version, false, CertificateContentTypes.pem)
        return pem?.value
      } catch (error) {
        if (error instanceof SecretFailure && statusOf(error.cause) === 400) return undefined
        throw error
      }
    },
    openPfx,
    buildPfx
  }
}
