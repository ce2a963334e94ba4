import { certificateJson, type CertificateInfo } from '../../certificates/info.js'
import { partList } from '../../certificates/parts.js'
import { ActionError } from '../../errors.js'
import type { SecretEntry } from '../../inputs/entries.js'
import { Inputs } from '../../inputs/table.js'
import { quote } from '../../text.js'
import type { GetOutcome } from './types.js'

/**
 * `#pfx` is a PKCS#12 file, binary: no output or variable holds it. Refused before any request.
 * (A JSON field named `pfx` cannot be selected in `secrets` for this reason.)
 */
export function refuseBinaryParts(targets: readonly SecretEntry[]): void {
  const pfx = targets.find((entry) => entry.field?.length === 1 && entry.field[0] === 'pfx')
  if (pfx)
    throw new ActionError(
      `Input '${Inputs.Secrets}', entry ${quote(pfx.text)}: '#pfx' is a PKCS#12 file, binary, and an output or a variable holds text only. ` +
        `Write it to a file with '${Inputs.Files}' (site.pfx=${pfx.name}#pfx), or select a text part here: ${partList(false)}.`
    )
}

/** Output `certificates`: for each entry that selected a certificate's part, its leaf (undefined when none did). */
export function certificatesOutput(outcome: Pick<GetOutcome, 'secrets' | 'files'>): string | undefined {
  const entries: [string, CertificateInfo][] = [
    ...outcome.secrets.flatMap((secret): [string, CertificateInfo][] =>
      secret.certificate ? [[secret.text ?? secret.name, secret.certificate]] : []
    ),
    ...outcome.files.flatMap((file): [string, CertificateInfo][] =>
      file.certificate ? [[file.entry.text, file.certificate]] : []
    )
  ]
  if (entries.length === 0) return undefined
  return JSON.stringify(Object.fromEntries(entries.map(([entry, info]) => [entry, certificateJson(info)])))
}

/** The summary's Certificate cell: the leaf's subject and the end of its validity (escaped with every cell). */
export const certificateCell = (info: CertificateInfo | undefined): string =>
  info ? `${info.subject}, valid until ${info.notAfter.toISOString()}` : ''
