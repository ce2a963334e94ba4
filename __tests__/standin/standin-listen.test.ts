/**
 * The stand-in's listeners on a fixed address and port (StandInOptions `https` and `imds`), as
 * __tests__/support/capture-az.ts starts it for the real az (127.0.0.1:443, IMDS on
 * 169.254.169.254:80 in a network namespace of its own). Here: free ports on loopback.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import http from 'node:http'
import https from 'node:https'
import net from 'node:net'
import { StandIn } from '../support/standin/index.js'

/** A port nothing listens on now. */
function freePort(address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, address, () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })
}

function get(url: string, options: https.RequestOptions = {}): Promise<{ status: number; body: string }> {
  const client = url.startsWith('https:') ? https : http
  return new Promise((resolve, reject) => {
    client
      .get(url, options, (res) => {
        let body = ''
        res.on('data', (chunk: Buffer) => (body += chunk.toString()))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      })
      .on('error', reject)
  })
}

// Linux routes all of 127.0.0.0/8 to loopback; elsewhere only 127.0.0.1 may be there.
const imdsAddress = process.platform === 'linux' ? '127.0.0.2' : '127.0.0.1'
let s: StandIn
let httpsPort: number
let imdsPort: number

beforeAll(async () => {
  httpsPort = await freePort('127.0.0.1')
  imdsPort = await freePort(imdsAddress)
  s = await StandIn.start({ https: { port: httpsPort }, imds: { address: imdsAddress, port: imdsPort } })
})

afterAll(async () => {
  await s.stop()
})

describe('StandIn.start({ https, imds }): fixed listeners', () => {
  test('the HTTPS listener takes the port, on 127.0.0.1 by default, and the route config says so', async () => {
    expect({ address: s.address, port: s.port }).toEqual({ address: '127.0.0.1', port: httpsPort })
    expect(s.routeConfig()).toMatchObject({ address: '127.0.0.1', port: httpsPort })
    const answer = await get(`https://127.0.0.1:${httpsPort}/common/v2.0/.well-known/openid-configuration`, {
      ca: s.caPem,
      servername: 'login.microsoftonline.com',
      headers: { host: 'login.microsoftonline.com' }
    })
    expect(answer.status).toBe(200)
  })

  test('IMDS listens on the address and port given, and imdsUrl names them', async () => {
    s.addManagedIdentity({ tenantId: '11111111-1111-1111-1111-111111111111', clientId: 'mi-client' })
    expect(s.imdsUrl).toBe(`http://${imdsAddress}:${imdsPort}`)
    const answer = await get(
      `${s.imdsUrl}/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://vault.azure.net`,
      { headers: { Metadata: 'true' } }
    )
    expect(answer.status).toBe(200)
    expect(JSON.parse(answer.body)).toMatchObject({ client_id: 'mi-client', token_type: 'Bearer' })
  })

  test('a port already taken fails the start instead of picking another', async () => {
    await expect(StandIn.start({ https: { port: httpsPort } })).rejects.toThrow(/EADDRINUSE/)
  })
})
