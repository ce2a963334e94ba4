import type { X509Certificate } from 'node:crypto'
import { CertificateProblem, type Bundle } from './bundle.js'

/** What `name#part` selects of a certificate's secret; the names are part of the action's inputs. */
export const CertificateParts = ['key', 'cert', 'chain', 'fullchain', 'pem', 'pfx'] as const
export type CertificatePart = (typeof CertificateParts)[number]
/** Every part but `pfx`, which is binary: an output or a variable holds text. */
export type TextPart = Exclude<CertificatePart, 'pfx'>

export const isCertificatePart = (word: string): word is CertificatePart =>
  (CertificateParts as readonly string[]).includes(word)

/** `#key, #cert, ...`: the parts an input takes (`secrets` every one but `#pfx`). */
export const partList = (withPfx: boolean): string =>
  CertificateParts.filter((part) => withPfx || part !== 'pfx')
    .map((part) => `#${part}`)
    .join(', ')

/** Content types of the secrets that back Key Vault certificates, and of PEM and PFX files generally. */
export const CertificateContentTypes = { pkcs12: 'application/x-pkcs12', pem: 'application/x-pem-file' } as const

/** The content type as compared: its media type, lower case, without parameters. */
export const mediaTypeOf = (contentType: string | undefined): string =>
  (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? ''

const pemOf = (certificate: X509Certificate): string => {
  const text = certificate.toString()
  return text.endsWith('\n') ? text : `${text}\n`
}

function keyOf(bundle: Bundle): string {
  if (!bundle.key)
    throw new CertificateProblem(
      "it holds no private key (a Key Vault certificate whose key is not exportable has none in its secret): only '#cert', '#chain' and '#fullchain' can be read"
    )
  return String(bundle.key.export({ type: 'pkcs8', format: 'pem' }))
}

/** A text part: PEM, each block ending with a line feed (the key PKCS#8, the certificates leaf first, then issuer order). */
export function partText(bundle: Bundle, part: TextPart): string {
  const chain = bundle.chain.map(pemOf).join('')
  switch (part) {
    case 'key':
      return keyOf(bundle)
    case 'cert':
      return pemOf(bundle.leaf)
    case 'chain':
      if (chain === '')
        throw new CertificateProblem(
          "its chain is empty: it holds the certificate alone, without the certificates that issued it. Read '#cert' (or '#fullchain', the certificate alone here)"
        )
      return chain
    case 'fullchain':
      return pemOf(bundle.leaf) + chain
    case 'pem':
      return keyOf(bundle) + pemOf(bundle.leaf) + chain
  }
}

/** Every line of the bundle as PEM (the key when there is one), to mask: a part handed on shows only some of them. */
export const bundleText = (bundle: Bundle): string =>
  (bundle.key ? keyOf(bundle) : '') + [bundle.leaf, ...bundle.chain].map(pemOf).join('')
