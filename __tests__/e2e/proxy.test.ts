/**
 * A self-hosted runner behind an HTTP proxy: the action, run as the runner runs it, resolves no
 * name at all (every DNS lookup in its process fails), so the proxy at 127.0.0.1, a real one (the
 * `proxy` package, in its own process, resolving the public names to the stand-in), is its only way
 * out. Every request then has to honour HTTPS_PROXY / HTTP_PROXY / NO_PROXY (either case) and do
 * its TLS inside the proxy's CONNECT tunnel, trusting the stand-in's CA through NODE_EXTRA_CA_CERTS
 * as it would a TLS-inspecting proxy's.
 */
import { beforeEach, describe, expect, it, jest } from '@jest/globals'
import { closedPort, isolatedRouteEnv, startProxy, type TestProxy } from '../support/proxy.js'
import { assertNoLeak, runAction, type RunOptions, type RunResult } from '../support/runner.js'
import { useStandIn } from '../support/world.js'

// The proxy-down case waits out the action's own retries (at most 15 s of backoff).
jest.setTimeout(60_000)

const TENANT = '11111111-1111-1111-1111-111111111111'
const OIDC_APP = '22222222-2222-2222-2222-222222222222'
const SP_APP = '33333333-3333-3333-3333-333333333333'
const SP_SECRET = 'Sp~Secret.Value_0123456789'
const MI_APP = '55555555-5555-5555-5555-555555555555'
const VAULT = 'proxy-kv'
const VAULT_HOST = `${VAULT}.vault.azure.net`
const GITHUB = 'pipelines.actions.githubusercontent.com:443'
const ENTRA = 'login.microsoftonline.com:443'
const KEY_VAULT = `${VAULT_HOST}:443`
const VALUES = { 'db-password': 'Pr0xied-db-value', 'api-key': 'Pr0xied-api-value' }

let proxy: TestProxy
const { s } = useStandIn({
  // The proxy in its own process, in front of the stand-in: it starts after it and stops before it.
  afterStart: async (s) => {
    proxy = await startProxy(s)
  },
  beforeStop: () => proxy?.stop(),
  seed: (s) => {
    const vault = s.addVault({
      name: VAULT,
      tenantId: TENANT,
      grants: { [OIDC_APP]: ['get'], [SP_APP]: ['get'], [MI_APP]: ['get'] }
    })
    for (const [name, value] of Object.entries(VALUES)) vault.setSecret(name, value)
    s.addOidcApp(TENANT, OIDC_APP)
    s.addApp({ tenantId: TENANT, clientId: SP_APP, clientSecret: SP_SECRET })
    s.addManagedIdentity({ clientId: MI_APP, tenantId: TENANT })
  }
})
// Forgets what the last test sent, and learns this test's vault.
beforeEach(() => proxy.reset())

const getBoth = { 'vault-name': VAULT, secrets: 'db-password\napi-key' }
const oidc = { ...getBoth, 'client-id': OIDC_APP, 'tenant-id': TENANT }
const servicePrincipal = { ...getBoth, 'client-id': SP_APP, 'tenant-id': TENANT, 'client-secret': SP_SECRET }
const managedIdentity = { ...getBoth, 'auth-type': 'managed-identity', 'client-id': MI_APP }

/**
 * Runs the action with no name resolvable in its process except `direct` (for hosts it is meant
 * to reach without the proxy), and the given proxy variables.
 */
function run(
  inputs: Record<string, string>,
  env: Record<string, string | undefined>,
  direct: readonly string[] = [],
  options: Pick<RunOptions, 'lowJitter'> = {}
): Promise<RunResult> {
  return runAction({ ...options, inputs, standin: s, env: { ...s.oidcEnv(), ...env, ...isolatedRouteEnv(s, direct) } })
}

function expectBothRead(r: RunResult): void {
  expect({ exitCode: r.exitCode, errors: r.errors }).toEqual({ exitCode: 0, errors: [] })
  expect(r.outputs['db-password']).toBe(VALUES['db-password'])
  expect(r.outputs['api-key']).toBe(VALUES['api-key'])
  assertNoLeak(r, [...Object.values(VALUES), SP_SECRET])
}

/** The hosts the proxy opened tunnels to, each once. */
async function tunnels(): Promise<string[]> {
  return [...new Set(await proxy.connects())].sort()
}

/** The stand-in's log: which service answered what. */
const served = (): string[] => s.requests.map((r) => `${r.service} ${r.method} ${r.status}`)

describe('through the proxy in HTTPS_PROXY, with no name resolvable by the action itself', () => {
  it('OIDC: the GitHub ID token, the Entra ID token and both reads each go through a CONNECT tunnel', async () => {
    const r = await run(oidc, { HTTPS_PROXY: proxy.url })

    expectBothRead(r)
    // Exactly these three hosts, on 443, and nothing else: no plain-HTTP request either.
    expect(await tunnels()).toEqual([GITHUB, ENTRA, KEY_VAULT].sort())
    expect(await proxy.requests()).toEqual([])
    // And the stand-in answered all of it: the tunnels carried the real exchange.
    expect(served().sort()).toEqual([
      'entra POST 200',
      'github GET 200',
      'vault GET 200',
      'vault GET 200',
      'vault GET 401'
    ])
  })

  it('service principal (client secret): Entra ID and the vault through the proxy, no GitHub request', async () => {
    const r = await run(servicePrincipal, { HTTPS_PROXY: proxy.url })

    expectBothRead(r)
    expect(await tunnels()).toEqual([ENTRA, KEY_VAULT].sort())
    expect(s.requestsTo('entra', 'POST').map((q) => q.status)).toEqual([200])
    expect(s.requestsTo('vault', 'GET').filter((q) => q.status === 200)).toHaveLength(2)
  })

  it('without a proxy the same step reaches nothing: the isolation is real', async () => {
    const r = await run(oidc, {})

    expect(r.exitCode).toBe(1)
    expect(r.errors).toEqual([expect.stringContaining(`The vault host '${VAULT_HOST}' does not resolve.`)])
    expect(s.requests).toEqual([])
    expect(await proxy.events()).toEqual([])
  })

  it.each([
    ['lower case only (https_proxy)', ['https_proxy']],
    [
      'both cases, as a runner configured with a proxy may set them',
      ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY']
    ]
  ])('%s: every request through the proxy', async (_label, names) => {
    const r = await run(oidc, Object.fromEntries(names.map((name) => [name, proxy.url])))

    expectBothRead(r)
    expect(await tunnels()).toEqual([GITHUB, ENTRA, KEY_VAULT].sort())
  })

  it('HTTP_PROXY alone is not enough: the GitHub ID token request takes only https_proxy / HTTPS_PROXY for an https URL', async () => {
    // The Azure SDK uses HTTP_PROXY for https too (so the vault is tunnelled); @actions/http-client
    // does not, tries to go direct and, with no name resolving, cannot get the ID token.
    const r = await run(oidc, { HTTP_PROXY: proxy.url })

    expect(r.exitCode).toBe(1)
    expect(r.errors).toEqual([expect.stringContaining('Could not get a GitHub OIDC token')])
    expect(await tunnels()).toEqual([KEY_VAULT])
    expect(s.requestsTo('github')).toEqual([])
  })
})

describe('NO_PROXY', () => {
  it.each(['.vault.azure.net', VAULT_HOST, `login.example.com, ${VAULT_HOST} ,other.example.com`])(
    'the vault in NO_PROXY (%s) is reached directly; Entra ID and GitHub still through the proxy',
    async (noProxy) => {
      // The vault's name, and only it, resolves in the action's process now.
      const r = await run(oidc, { HTTPS_PROXY: proxy.url, NO_PROXY: noProxy }, [VAULT_HOST])

      expectBothRead(r)
      expect(await tunnels()).toEqual([GITHUB, ENTRA].sort())
      expect(s.requestsTo('vault').filter((q) => q.status === 200)).toHaveLength(2)
    }
  )

  it('lower-case no_proxy with lower-case https_proxy', async () => {
    const r = await run(oidc, { https_proxy: proxy.url, no_proxy: '.vault.azure.net' }, [VAULT_HOST])

    expectBothRead(r)
    expect(await tunnels()).toEqual([GITHUB, ENTRA].sort())
  })

  it('an entry without the leading dot (vault.azure.net) does not take the vault off the proxy: the Azure SDK matches it as a whole host name', async () => {
    // @actions/http-client would match hosts under it; the Azure SDK's proxy policy does not (README).
    const r = await run(oidc, { HTTPS_PROXY: proxy.url, NO_PROXY: 'vault.azure.net' })

    expectBothRead(r)
    expect(await tunnels()).toContain(KEY_VAULT)
  })
})

describe('when the proxy fails', () => {
  it('a proxy that is down: one error naming the proxy, the variable and ECONNREFUSED, after the retries', async () => {
    const down = `http://127.0.0.1:${await closedPort()}`
    // The 4 retries back off as jitter allows at its shortest (about 0.8 s in all, not up to 15 s): that they happen is the point.
    const r = await run(oidc, { HTTPS_PROXY: down }, [], { lowJitter: true })

    expect(r.exitCode).toBe(1)
    expect(r.errors).toHaveLength(1)
    const [error] = r.errors
    expect(error).toContain(
      `Could not reach https://${VAULT_HOST} through the proxy ${down} (from HTTPS_PROXY): ECONNREFUSED`
    )
    expect(error).toContain('also on 4 retries')
    expect(error).toContain('Check that the proxy is running and reachable from the runner')
    expect(s.requests).toEqual([])
  })

  it('a proxy that refuses the tunnel (a vault name it cannot resolve): the proxy answered, not Key Vault', async () => {
    const r = await run({ ...oidc, 'vault-name': 'typo-kv' }, { HTTPS_PROXY: proxy.url })

    expect(r.exitCode).toBe(1)
    expect(r.errors).toEqual([
      `The proxy ${proxy.url} (from HTTPS_PROXY) answered 404 for 'typo-kv.vault.azure.net' instead of Key Vault: the request never reached the vault. ` +
        `Check 'vault-name' for a typo (a proxy answers so for a name it cannot resolve), check that the proxy allows the vault and Microsoft Entra ID ` +
        `(*.vault.azure.net and login.microsoftonline.com), or list the vault in NO_PROXY to reach it directly.`
    ])
    expect(await proxy.connects()).toContain('typo-kv.vault.azure.net:443')
    expect(s.requestsTo('vault')).toEqual([])
  })

  it('a proxy URL without its scheme (127.0.0.1:<port>): the step asks for http://, without repeating the value', async () => {
    // @actions/http-client adds http:// (the GitHub ID token request goes through); the Azure SDK cannot parse it.
    const r = await run(oidc, { HTTPS_PROXY: `127.0.0.1:${proxy.port}` })

    expect(r.exitCode).toBe(1)
    expect(r.errors).toEqual([
      `Could not reach https://${VAULT_HOST}: ERR_INVALID_URL (Invalid URL). ` +
        'HTTPS_PROXY does not hold a proxy URL the Azure SDK can use: give it with its scheme, as http://host:port (in both https_proxy and HTTPS_PROXY).'
    ])
    expect(await tunnels()).toEqual([GITHUB])
  })

  it("a CA the runner does not trust (a TLS-inspecting proxy's, without NODE_EXTRA_CA_CERTS): names the certificate error and the fix", async () => {
    const r = await run(oidc, { HTTPS_PROXY: proxy.url, NODE_EXTRA_CA_CERTS: undefined })

    expect(r.exitCode).toBe(1)
    expect(r.errors).toHaveLength(1)
    expect(r.errors[0]).toContain(
      `Could not reach https://${VAULT_HOST} through the proxy ${proxy.url} (from HTTPS_PROXY): UNABLE_TO_VERIFY_LEAF_SIGNATURE (`
    )
    expect(r.errors[0]).toContain("trust its CA by setting NODE_EXTRA_CA_CERTS to the CA's PEM file in the job's env")
    // The tunnel was made; TLS inside it failed.
    expect(await proxy.connects()).toContain(KEY_VAULT)
  })
})

describe('managed identity (IMDS, plain HTTP)', () => {
  it.each([
    ['HTTP_PROXY and HTTPS_PROXY', { HTTP_PROXY: 'PROXY', HTTPS_PROXY: 'PROXY' }],
    ['HTTPS_PROXY only: the Azure SDK uses it for http URLs too', { HTTPS_PROXY: 'PROXY' }]
  ])('%s, NO_PROXY without the IMDS address: the IMDS request goes through the proxy', async (_label, variables) => {
    const env = Object.fromEntries(Object.entries(variables).map(([name]) => [name, proxy.url]))
    const r = await run(managedIdentity, { ...env, ...s.managedIdentityEnv() })

    // It works here only because this proxy can reach the stand-in's IMDS; a real proxy would reach
    // its own host's 169.254.169.254, or nothing (README: put it in NO_PROXY).
    expectBothRead(r)
    expect(await proxy.requests()).toEqual([`127.0.0.1:${s.imdsPort}`])
    expect(await tunnels()).toEqual([KEY_VAULT])
  })

  it('the documented setup: NO_PROXY lists the IMDS address, so IMDS is asked directly and only the vault goes through the proxy', async () => {
    // The stand-in's IMDS listens on 127.0.0.1 (AZURE_POD_IDENTITY_AUTHORITY_HOST) where Azure's is 169.254.169.254.
    const r = await run(managedIdentity, {
      HTTPS_PROXY: proxy.url,
      HTTP_PROXY: proxy.url,
      NO_PROXY: '169.254.169.254,127.0.0.1',
      ...s.managedIdentityEnv()
    })

    expectBothRead(r)
    expect(await proxy.requests()).toEqual([])
    expect(await tunnels()).toEqual([KEY_VAULT])
    expect(s.requestsTo('imds').map((q) => q.status)).toEqual([200])
  })
})
