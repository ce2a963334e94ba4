import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject
} from 'node:crypto'

export type JwtClaims = Record<string, unknown>

export interface DecodedJwt {
  readonly header: Record<string, unknown>
  readonly payload: JwtClaims
}

export type JwtCheck =
  { readonly ok: true; readonly jwt: DecodedJwt } | { readonly ok: false; readonly reason: 'malformed' | 'signature' }

const base64url = (data: string | Buffer): string => Buffer.from(data).toString('base64url')

/** Reads a JWT without checking its signature; undefined when it is not a JWT. */
export function decodeJwt(token: string): DecodedJwt | undefined {
  const parts = token.split('.')
  if (parts.length !== 3) return undefined
  try {
    const header = JSON.parse(Buffer.from(parts[0] ?? '', 'base64url').toString('utf8')) as unknown
    const payload = JSON.parse(Buffer.from(parts[1] ?? '', 'base64url').toString('utf8')) as unknown
    if (!isObject(header) || !isObject(payload)) return undefined
    return { header, payload }
  } catch {
    return undefined
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * RS256 signing with one key pair. The stand-in signs Entra access tokens and GitHub ID tokens with
 * its own keys and checks them itself, so any token it did not make fails the signature check.
 */
export class JwtSigner {
  readonly kid: string
  private readonly privateKey: KeyObject
  private readonly publicKey: KeyObject

  /** `privateKeyPem`: the key to sign with (PKCS#1 or PKCS#8 PEM); a new RSA key without it. */
  constructor(privateKeyPem?: string) {
    this.privateKey =
      privateKeyPem === undefined
        ? generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
        : createPrivateKey(privateKeyPem)
    this.publicKey = createPublicKey(this.privateKey)
    this.kid = createHash('sha256')
      .update(this.publicKey.export({ type: 'spki', format: 'der' }))
      .digest('base64url')
      .slice(0, 27)
  }

  sign(claims: JwtClaims, header: Record<string, unknown> = {}): string {
    const head = base64url(JSON.stringify({ typ: 'JWT', alg: 'RS256', kid: this.kid, x5t: this.kid, ...header }))
    const body = base64url(JSON.stringify(claims))
    const signature = sign('sha256', Buffer.from(`${head}.${body}`), this.privateKey)
    return `${head}.${body}.${signature.toString('base64url')}`
  }

  verify(token: string): JwtCheck {
    const jwt = decodeJwt(token)
    if (!jwt) return { ok: false, reason: 'malformed' }
    const [head, body, signature] = token.split('.')
    if (jwt.header.alg !== 'RS256' || !signature) return { ok: false, reason: 'signature' }
    const valid = verify('sha256', Buffer.from(`${head}.${body}`), this.publicKey, Buffer.from(signature, 'base64url'))
    return valid ? { ok: true, jwt } : { ok: false, reason: 'signature' }
  }

  /** The public key as a JWKS document, for openid-configuration `jwks_uri`. */
  jwks(): { keys: Record<string, unknown>[] } {
    const jwk = this.publicKey.export({ format: 'jwk' }) as Record<string, unknown>
    return { keys: [{ ...jwk, kid: this.kid, x5t: this.kid, use: 'sig', alg: 'RS256' }] }
  }
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000)
