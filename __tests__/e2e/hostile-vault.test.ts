/**
 * End-to-end: a vault whose answers someone else controls (a compromised vault, a proxy, a
 * middlebox), against the committed action through the real SDK. Answers are injected with the
 * stand-in's faults. Each test names the promise it checks: a token goes only to the vault's own
 * origin; no value in an error; nothing unbounded in the log; no markup from the vault in the
 * summary; no variable a later step relies on replaced by vault contents; a failed step exports
 * nothing.
 */
import { beforeEach, describe, expect, it, jest } from '@jest/globals'
import { assertNoLeak } from '../support/runner.js'
import type { FaultRequest } from '../support/standin/index.js'
import { expectFailure, expectSuccess } from '../support/steps.js'
import { useStandIn } from '../support/world.js'

jest.setTimeout(60_000)

const TENANT = '2e4f6a8c-1b3d-4f5a-9c7e-8d6b4a2c0e1f'
const APP = '8c6a4e2f-0d1b-4c3a-9f8e-7d6c5b4a3e2d'
const VAULT = 'hostile-kv'
const OTHER = 'other-kv'
const VALUE = 'Th3-Real-Secret-Value!'

const { s, step: run } = useStandIn({
  vault: { name: VAULT, tenantId: TENANT, clientId: APP, grants: ['get', 'list'], secrets: { 'db-password': VALUE } },
  // Another vault the same identity may read: a token sent there would be accepted.
  seed: (s) =>
    s
      .addVault({ name: OTHER, tenantId: TENANT, grants: { [APP]: ['get', 'list'] } })
      .setSecret('elsewhere', 'other-value')
})
const host = (name: string): string => `${name}.vault.azure.net`
const authorized = (request: FaultRequest): boolean => request.headers.authorization !== undefined
const firstListPage = (request: FaultRequest): boolean =>
  request.host === host(VAULT) &&
  request.method === 'GET' &&
  request.path === '/secrets' &&
  !('$skiptoken' in request.query) &&
  authorized(request)
const readOf =
  (name: string) =>
  (request: FaultRequest): boolean =>
    request.host === host(VAULT) && request.path.startsWith(`/secrets/${name}`) && authorized(request)
const json = { 'content-type': 'application/json; charset=utf-8' }

describe('a token goes only to the vault it is for', () => {
  it.each([
    [
      'another vault the identity can read',
      `https://${host(OTHER)}:443/secrets?api-version=2025-07-01&$skiptoken=abc`,
      `https://${host(OTHER)}`
    ],
    [
      'plain http to the same vault',
      `http://${host(VAULT)}/secrets?api-version=2025-07-01&$skiptoken=abc`,
      `http://${host(VAULT)}`
    ],
    [
      'another port of the same host',
      `https://${host(VAULT)}:8443/secrets?api-version=2025-07-01&$skiptoken=abc`,
      `https://${host(VAULT)}:8443`
    ]
  ])(
    'a listing whose nextLink names %s is stopped before the request, naming the origin',
    async (_, nextLink, origin) => {
      s.faults.push({ match: firstListPage, status: 200, headers: json, body: { value: [], nextLink } })
      for (const inputs of [{ operation: 'list' }, { secrets: '*' }] as Record<string, string>[]) {
        s.requests.length = 0
        const r = await run(inputs)
        expectFailure(
          r,
          `Key Vault '${VAULT}' pointed the step at ${origin}, which is not the vault (https://${host(VAULT)}): the request was not sent, so no token went there.`
        )
        expect(s.requestsTo('vault').filter((request) => request.host !== host(VAULT))).toEqual([])
        // The challenge, then the first page (the fault): nothing after it.
        expect(
          s.requestsTo('vault').map((request) => `${request.path} ${request.status}${request.fault ? '*' : ''}`)
        ).toEqual(['/secrets 401', '/secrets 200*'])
      }
    }
  )

  it('a redirect is not followed: the answer is reported, and the place it pointed gets nothing', async () => {
    s.faults.push({
      match: readOf('db-password'),
      status: 302,
      headers: { location: `https://${host(OTHER)}/secrets/elsewhere/?api-version=2025-07-01` },
      times: 1
    })
    const r = await run({ 'secret-name': 'db-password' })
    expectFailure(
      r,
      `Key Vault '${VAULT}' answered 302 to https://${host(OTHER)} (a redirect), which Key Vault never does; it was not followed.`
    )
    expect(s.requestsTo('vault').filter((request) => request.host === host(OTHER))).toEqual([])
  })

  it('a nextLink that repeats (a paging loop) ends the listing at the second request for it', async () => {
    const loop = `https://${host(VAULT)}:443/secrets?api-version=2025-07-01&$skiptoken=loop`
    s.faults.push({
      match: (request) => request.path === '/secrets' && authorized(request),
      status: 200,
      headers: json,
      body: { value: [], nextLink: loop }
    })
    const r = await run({ operation: 'list' })
    expectFailure(
      r,
      `Key Vault '${VAULT}' sent a page of its listing (/secrets) that it had sent before: the listing was stopped.`
    )
    // The first page, and the looping page once.
    expect(
      s.requestsTo('vault', 'GET').filter((request) => request.path === '/secrets' && request.authorized)
    ).toHaveLength(0)
    expect(s.requestsTo('vault', 'GET').filter((request) => request.path === '/secrets' && request.fault)).toHaveLength(
      2
    )
  })
})

describe('no value in an error, nothing unbounded in the log', () => {
  it('a read answered 200 but cut off mid-JSON: the partial body, value included, is never shown', async () => {
    s.faults.push({
      match: readOf('db-password'),
      status: 200,
      headers: json,
      body: `{"value":"${VALUE}","id":"https://${host(VAULT)}/secrets/db-pass`,
      times: 1
    })
    const r = await run({ 'secret-name': 'db-password' }, { debug: true })
    expectFailure(r, `The answer of Key Vault '${VAULT}' (200, `, 'is cut off or not valid JSON; it is not shown')
    assertNoLeak(r, [VALUE])
    expect(r.stdout).not.toContain(VALUE)
    expect(r.stderr).not.toContain(VALUE)
  })

  // Within the bound on a read's answer (256 KiB): larger ones are refused unread (answer-sizes.test.ts).
  it('a 200 KiB error message becomes one line of at most a few hundred characters, without control characters', async () => {
    const huge = `Bad \u001b[31mrequest\u202e ${'x'.repeat(200 * 1024)}`
    s.faults.push({
      match: readOf('db-password'),
      status: 400,
      headers: json,
      body: { error: { code: 'BadParameter', message: huge } },
      times: 1
    })
    const r = await run({ 'secret-name': 'db-password' })
    const error = expectFailure(
      r,
      "Key Vault 'hostile-kv' answered 400 BadParameter to 'get' of secret 'db-password'. Key Vault said: Bad [31mrequest x"
    )
    expect(error.length).toBeLessThan(700)
    expect(error).not.toMatch(/[\p{Cc}\u202e]/u)
    expect(r.stdout.length).toBeLessThan(100_000)
  })

  it("an HTML page answering 200 (a proxy's login page) is reported by status and content type, its text never shown", async () => {
    s.faults.push({
      match: readOf('db-password'),
      status: 200,
      headers: { 'content-type': 'text/html' },
      body: '<html><body>Please sign in to the corporate proxy</body></html>'
    })
    const r = await run({ 'secret-name': 'db-password' })
    const error = expectFailure(
      r,
      `Key Vault '${VAULT}' answered 200, content type text/html, 63 characters instead of JSON`
    )
    expect(error).not.toContain('corporate proxy')
  })

  it('a read answered 200 without a value is an error naming the secret, not an empty secret', async () => {
    s.faults.push({
      match: readOf('db-password'),
      status: 200,
      headers: json,
      body: {
        id: `https://${host(VAULT)}/secrets/db-password/0123456789abcdef0123456789abcdef`,
        attributes: { enabled: true }
      }
    })
    const r = await run({ secrets: 'db-password', 'export-env': 'true' })
    expectFailure(
      r,
      `Key Vault '${VAULT}' answered the read of secret 'db-password' without a value, so nothing was exported.`
    )
  })

  it('a listing with a name no secret can have: skipped with a warning, shown escaped', async () => {
    s.faults.push({
      match: firstListPage,
      status: 200,
      headers: json,
      body: {
        value: [
          { id: `https://${host(VAULT)}/secrets/db-password`, attributes: { enabled: true } },
          { id: `https://${host(VAULT)}/secrets/evil%0A%3A%3Aerror%3A%3Aowned`, attributes: { enabled: true } }
        ],
        nextLink: null
      }
    })
    const r = await run({ operation: 'list' })
    expectSuccess(r)
    expect(JSON.parse(r.outputs.names ?? '[]')).toEqual(['db-password'])
    expect(r.warnings).toEqual([
      "The vault listed a secret named 'evil%0A%3A%3Aerror%3A%3Aowned', which is not a valid secret name; it was skipped."
    ])
  })
})

describe('no markup from the vault in the job summary', () => {
  it('tags and content types are shown as text', async () => {
    s.vault(VAULT).setSecret('app-config', 'v', {
      contentType: '</td></tr></table><h1>Pwned</h1>',
      tags: { owner: '<img src=x onerror=alert(1)>', link: '[click](https://evil.test)' }
    })
    const r = await run({ operation: 'list' })
    expectSuccess(r)
    expect(r.summary).not.toContain('<img')
    expect(r.summary).not.toContain('<h1>')
    expect(r.summary).toContain('&lt;img src=x onerror=alert(1)&gt;')
    expect(r.summary).toContain('&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;h1&gt;Pwned&lt;/h1&gt;')
    // One table: the vault's text closed none of its cells.
    expect(r.summary.match(/<\/table>/g)).toHaveLength(1)
  })
})

describe('no variable a later step relies on is replaced by vault contents', () => {
  beforeEach(() => {
    s.vault(VAULT).setSecret('app-mode', 'from-the-vault')
    s.vault(VAULT).setSecret('app-kubeconfig', 'apiVersion: v1')
    s.vault(VAULT).setSecret('db', JSON.stringify({ host: 'db.internal', password: 'Json-Leaf-Pw-99' }))
  })

  it('a glob match or a JSON key never replaces a variable the step already has; a name the workflow wrote does', async () => {
    const env = { APP_MODE: 'set-by-the-workflow', DB_HOST: 'set-by-the-workflow', MODE: 'set-by-the-workflow' }
    const r = await run(
      { secrets: 'app-*\nDB=db\nMODE=db-password', 'export-env': 'true', 'parse-json': 'true' },
      { env }
    )
    expectSuccess(r)
    expect(r.env).toEqual({ APP_KUBECONFIG: 'apiVersion: v1', DB_PASSWORD: 'Json-Leaf-Pw-99', MODE: VALUE })
    expect(r.warnings).toEqual(
      expect.arrayContaining([
        expect.stringContaining(
          "Secret 'app-mode' was not exported as APP_MODE: the step's environment already has APP_MODE"
        ),
        expect.stringContaining("Secret 'db' was not exported as DB_HOST: the step's environment already has DB_HOST")
      ])
    )
    // Still in the outputs.
    expect(r.outputs['app-mode']).toBe('from-the-vault')
    expect(r.outputs.DB_host).toBe('db.internal')
  })

  it.each([
    'KUBECONFIG',
    'REQUESTS_CA_BUNDLE',
    'NODE_TLS_REJECT_UNAUTHORIZED',
    'GLIBC_TUNABLES',
    'DOTNET_STARTUP_HOOKS',
    'AZURE_CONFIG_DIR',
    'DOCKER_HOST'
  ])('an alias %s is refused before any request', async (alias) => {
    const r = await run({ secrets: `${alias}=app-kubeconfig`, 'export-env': 'true' })
    expectFailure(
      r,
      `Input 'export-env': secret '${alias}=app-kubeconfig' would be exported as ${alias}, which is refused`
    )
    expect(s.requests).toEqual([])
  })

  it('a glob match on the refused list is skipped with a warning', async () => {
    s.vault(VAULT).setSecret('ld-preload', '/tmp/evil.so')
    const r = await run({ secrets: 'ld-*', 'export-env': 'true' })
    expectSuccess(r)
    expect(r.env).toEqual({})
    expect(r.warnings).toEqual([
      "Secret 'ld-preload' was not exported as LD_PRELOAD: names starting with LD_ steer the dynamic loader. Read it from its step output."
    ])
  })
})

describe('a failed step exports nothing; a step that exported does not fail', () => {
  it('JSON fields of one secret that map to one output name are an error, and nothing is exported', async () => {
    s.vault(VAULT).setSecret('cfg', JSON.stringify({ 'a.b': 'one', a_b: 'two', a: { b: 'three' } }))
    const r = await run({ secrets: 'cfg', 'parse-json': 'true' })
    expectFailure(
      r,
      "Input 'secrets': field 'a.b' of secret 'cfg' and field 'a_b' of secret 'cfg' would both be the output 'cfg_a_b'. Rename one of the fields, or read the secret without 'parse-json'."
    )
  })

  it('a job summary that cannot be written is a warning: the exports stand', async () => {
    const r = await run(
      { 'secret-name': 'db-password' },
      { env: { GITHUB_STEP_SUMMARY: '/nonexistent-folder/step_summary' } }
    )
    expectSuccess(r)
    expect(r.outputs.value).toBe(VALUE)
    expect(r.warnings).toEqual([
      expect.stringMatching(/^Could not write the job summary: Unable to access summary file/)
    ])
  })
})

describe('masking that keeps the log readable', () => {
  it("a pretty-printed JSON secret: its lines and string fields of at least 4 characters are masked, not '{', '}' or 'eu'", async () => {
    const pretty = JSON.stringify({ region: 'eu', password: 'Pr3tty-Json-Pw' }, null, 2)
    s.vault(VAULT).setSecret('pretty', pretty)
    const r = await run({ secrets: 'pretty' })
    expectSuccess(r)
    expect(r.masks).toEqual(expect.arrayContaining(['"password": "Pr3tty-Json-Pw"', 'Pr3tty-Json-Pw']))
    for (const short of ['{', '}', 'eu', pretty]) expect(r.masks).not.toContain(short)
    assertNoLeak(r, ['Pr3tty-Json-Pw'])
  })

  it('min-mask-length 1 masks every line again', async () => {
    s.vault(VAULT).setSecret('pretty', JSON.stringify({ region: 'eu' }, null, 2))
    const r = await run({ secrets: 'pretty', 'min-mask-length': '1' })
    expect(r.masks).toEqual(expect.arrayContaining(['{', '}', 'eu']))
  })

  it('a one-line value shorter than the minimum is masked whole, and a warning names the secret', async () => {
    s.vault(VAULT).setSecret('pin', '42')
    const r = await run({ secrets: 'pin' })
    expectSuccess(r)
    expect(r.masks).toContain('42')
    expect(r.warnings).toEqual([
      "Secret 'pin' is 2 characters long, less than 'min-mask-length' (4): it is masked, but a mask this short also hides the same characters wherever else they appear in the log."
    ])
  })

  it('the log says how the step signed in, never a secret', async () => {
    const r = await run({ 'secret-name': 'db-password' })
    expect(r.log).toContain(
      `Signing in with OIDC: app ${APP} in tenant ${TENANT}, GitHub ID token for audience api://AzureADTokenExchange.`
    )
  })
})
