import type { FileSecret } from '../../files.js'
import type { FileEntry } from '../../inputs/entries.js'
import { Inputs } from '../../inputs/table.js'
import { validDate } from '../../vault/answers.js'
import type { CommonInputs } from '../module.js'
import { selectField } from './fields.js'
import type { GetInputs, Read, ReadSecret, Target } from './types.js'

/** A `secrets` entry (or a glob's match) read: its value, or the field it selects. */
export async function readTarget(read: Read, target: Target, allowMissing: boolean): Promise<ReadSecret | undefined> {
  const secret = await read(target.vault, target.name, target.version, allowMissing)
  if (!secret) return undefined
  const value = target.field
    ? selectField(secret.value, target.field, {
        name: target.name,
        entry: target.text ?? target.name,
        input: Inputs.Secrets
      })
    : secret.value
  return {
    name: target.name,
    alias: target.alias,
    prefix: target.prefix,
    fromGlob: target.fromGlob,
    value,
    ...(target.field && { wholeValue: secret.value, field: target.field }),
    vault: target.vault,
    version: secret.properties.version ?? '',
    id: secret.properties.id ?? '',
    expiresOn: validDate(secret.properties.expiresOn)
  }
}

/** A `files` entry read: the value as it is (with its content type), or the field it selects, as text. */
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
  // A field is text: the content type describes the whole value, not it.
  const value = selectField(secret.value, file.field, { name: file.name, entry: file.text, input: Inputs.Files })
  return { entry: file, vault, value, wholeValue: secret.value, contentType: '', expiresOn }
}
