/**
 * The one or two endpoints each peer action needs to read a secret, on one HTTPS listener of bench:startup:
 *
 *   - HashiCorp Vault (hashicorp/vault-action): `GET /v1/secret/data/<name>` (KV v2) with
 *     `X-Vault-Token`, and `POST /v1/auth/jwt/login` ({ role, jwt } → { auth: { client_token } }) for
 *     its GitHub OIDC sign-in. The JWT's signature is not checked (a real Vault checks it against
 *     GitHub's keys; that is server time, not the action's), its shape and claims are;
 *   - Google (get-secretmanager-secrets): `POST /token` of oauth2.googleapis.com (a service account's
 *     signed JWT for an access token) and `GET /v1/projects/<p>/secrets/<s>/versions/<v>:access`;
 *   - AWS Secrets Manager (aws-secretsmanager-get-secrets): `POST /` with
 *     `X-Amz-Target: secretsmanager.GetSecretValue` (SigV4-signed; the signature is not checked).
 *
 * Requests are told apart by their path and headers, not their host, so the listener serves the
 * real host names (through the bench's private /etc/hosts) and `localhost:<port>` alike. Its
 * certificate is self-signed for those names (made with `openssl`), trusted by the children through
 * NODE_EXTRA_CA_CERTS beside the stand-in's CA. Every secret `<name>` holds `value-of-<name>`.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:https'
import type { IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const VaultHost = 'vault.bench.test'
export const AwsRegion = 'us-east-1'
export const PeerHosts: readonly string[] = [
  VaultHost,
  'oauth2.googleapis.com',
  'secretmanager.googleapis.com',
  `secretsmanager.${AwsRegion}.amazonaws.com`
]
/** The token vault-action is given (method: token). */
export const VaultToken = 'hvs.bench-static-token'
/** The role its JWT sign-in names. */
export const VaultJwtRole = 'bench'
const VaultJwtToken = 'hvs.bench-from-jwt'
const GoogleAccessToken = 'ya29.bench-access-token'

export const peerValue = (name: string): string => `value-of-${name}`

interface Answer {
  readonly status: number
  readonly body: unknown
}

const answer = (status: number, body: unknown): Answer => ({ status, body })

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = ''
    req.on('data', (chunk: Buffer) => (body += chunk.toString()))
    req.on('end', () => resolve(body))
    req.on('error', reject)
  })
}

function jwtClaims(jwt: unknown): Record<string, unknown> | undefined {
  if (typeof jwt !== 'string' || jwt.split('.').length !== 3) return undefined
  try {
    return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>
  } catch {
    return undefined
  }
}

function vault(method: string, path: string, token: string | undefined, body: string): Answer {
  if (method === 'POST' && path === '/v1/auth/jwt/login') {
    const { role, jwt } = JSON.parse(body || '{}') as { role?: unknown; jwt?: unknown }
    const claims = jwtClaims(jwt)
    if (role !== VaultJwtRole || typeof claims?.sub !== 'string' || typeof claims.iss !== 'string')
      return answer(400, { errors: ['error validating token: missing or invalid claims'] })
    const auth = { client_token: VaultJwtToken, accessor: 'bench', policies: ['default', 'bench'] }
    return answer(200, { request_id: 'bench', lease_id: '', renewable: false, lease_duration: 0, data: null, auth })
  }
  const name = /^\/v1\/secret\/data\/([\w-]+)$/.exec(path)?.[1]
  if (method !== 'GET' || !name) return answer(404, { errors: [] })
  if (token !== VaultToken && token !== VaultJwtToken) return answer(403, { errors: ['permission denied'] })
  const data = { data: { value: peerValue(name) }, metadata: { version: 1 } }
  return answer(200, { request_id: 'bench', lease_id: '', renewable: false, lease_duration: 0, data })
}

function google(method: string, path: string, authorization: string | undefined, body: string): Answer {
  if (method === 'POST' && path === '/token') {
    const form = new URLSearchParams(body)
    if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer' || !jwtClaims(form.get('assertion')))
      return answer(400, { error: 'invalid_grant' })
    return answer(200, { access_token: GoogleAccessToken, expires_in: 3599, token_type: 'Bearer' })
  }
  const match = /^\/v1\/(projects\/[\w-]+\/secrets\/([\w-]+)\/versions\/\w+):access$/.exec(path)
  if (method !== 'GET' || !match) return answer(404, { error: { code: 404, status: 'NOT_FOUND' } })
  if (authorization !== `Bearer ${GoogleAccessToken}`) return answer(401, { error: { code: 401 } })
  const data = Buffer.from(peerValue(match[2] ?? '')).toString('base64')
  return answer(200, { name: match[1], payload: { data } })
}

function aws(target: string, authorization: string | undefined, body: string): Answer {
  if (!authorization?.startsWith('AWS4-HMAC-SHA256 ')) return answer(400, { __type: 'MissingAuthenticationToken' })
  if (target !== 'secretsmanager.GetSecretValue') return answer(400, { __type: 'UnknownOperationException' })
  const name = String((JSON.parse(body || '{}') as { SecretId?: unknown }).SecretId)
  const arn = `arn:aws:secretsmanager:${AwsRegion}:111111111111:secret:${name}-AbCdEf`
  return answer(200, {
    ARN: arn,
    Name: name,
    SecretString: peerValue(name),
    VersionId: '00000000-0000-0000-0000-000000000001',
    VersionStages: ['AWSCURRENT'],
    CreatedDate: 1.7e9
  })
}

function route(req: IncomingMessage, body: string): Answer {
  const path = new URL(req.url ?? '/', 'https://peer.invalid').pathname
  const method = req.method ?? 'GET'
  const target = req.headers['x-amz-target']
  if (typeof target === 'string') return aws(target, req.headers.authorization, body)
  if (path.startsWith('/v1/auth/') || path.startsWith('/v1/secret/')) {
    const token = req.headers['x-vault-token']
    return vault(method, path, typeof token === 'string' ? token : undefined, body)
  }
  return google(method, path, req.headers.authorization, body)
}

/** A self-signed certificate for the peers' hosts and localhost, RSA 2048 as the stand-in's. */
function selfSigned(dir: string): { key: string; cert: string } {
  const keyFile = join(dir, 'key.pem')
  const certFile = join(dir, 'cert.pem')
  const names = [...PeerHosts, 'localhost'].map((host) => `DNS:${host}`).join(',')
  // prettier-ignore
  const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2',
    '-subj', `/CN=${VaultHost}`, '-addext', `subjectAltName=${names}`, '-keyout', keyFile, '-out', certFile],
    { encoding: 'utf8' })
  if (made.status !== 0) throw new Error(`openssl: ${made.error?.message ?? made.stderr}`)
  return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8') }
}

/** A request as logged: when it arrived (ms since the epoch), and what it was. */
export interface PeerRequest {
  readonly arrived: number
  readonly method: string
  readonly host: string
  readonly path: string
  readonly status: number
}

export class PeerStandIns {
  /** Added to every answer. */
  latencyMs = 0
  readonly requests: PeerRequest[] = []

  private constructor(
    private readonly server: Server,
    /** The certificate to trust (PEM). */
    readonly certPem: string
  ) {
    server.on('request', (req: IncomingMessage, res) => {
      const arrived = Date.now()
      void readBody(req).then((body) => {
        const { status, body: reply } = route(req, body)
        const path = (req.url ?? '/').replace(/\?.*/, '')
        this.requests.push({ arrived, method: req.method ?? 'GET', host: req.headers.host ?? '', path, status })
        setTimeout(() => {
          res.writeHead(status, { 'content-type': 'application/json', date: new Date().toUTCString() })
          res.end(JSON.stringify(reply))
        }, this.latencyMs)
      })
    })
  }

  static async start(address: string, port: number): Promise<PeerStandIns> {
    const dir = mkdtempSync(join(tmpdir(), 'bench-peers-'))
    try {
      const { key, cert } = selfSigned(dir)
      const peers = new PeerStandIns(createServer({ key, cert }), cert)
      await new Promise<void>((ready, fail) => {
        peers.server.once('error', fail)
        peers.server.listen(port, address, ready)
      })
      return peers
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port
  }

  stop(): Promise<void> {
    this.server.closeAllConnections()
    return new Promise((done) => this.server.close(() => done()))
  }
}
