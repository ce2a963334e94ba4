/**
 * `tsx __tests__/bench/sequence.ts`: the requests of two runs, in order, as the stand-in saw them:
 * a rotate-and-sync (`set` with `generate` and `github-secrets`) and a two-vault `get`. For the
 * README and issue notes; it asserts nothing.
 */
import { runAction } from '../support/runner.js'
import { StandIn } from '../support/standin/index.js'

const TENANT = '3b1f7a2c-9d4e-4f6a-8b2c-1e0d9c8b7a65'
const APP = '7c6b5a49-3e2d-4c1b-9a08-f7e6d5c4b3a2'
const TOKEN = 'github_pat_sequence_only'

const s = await StandIn.start()
try {
  const show = (title: string): void => {
    console.log(`\n${title}`)
    for (const r of s.requests)
      console.log(`  ${r.service.padEnd(10)} ${r.method.padEnd(6)} ${r.host}${r.path} -> ${r.status}`)
  }
  s.reset()
  s.addVault({ name: 'rotate-kv', tenantId: TENANT, grants: { [APP]: ['get', 'set'] } })
  s.addOidcApp(TENANT, APP)
  s.githubApi.addOrganization({ login: 'octo-org', repositories: ['app'] })
  s.githubApi.addToken(TOKEN, { organizations: ['octo-org'], permissions: { secrets: 'write' } })
  const rotate = await runAction({
    inputs: {
      'vault-name': 'rotate-kv',
      operation: 'set',
      'secret-name': 'db-password',
      generate: 'true',
      'github-secrets': 'DB_PASSWORD=db-password',
      'github-token': TOKEN,
      'client-id': APP,
      'tenant-id': TENANT
    },
    standin: s,
    env: { ...s.oidcEnv(), GITHUB_API_URL: s.githubApi.url }
  })
  show(`rotate and sync (exit ${rotate.exitCode})`)

  s.reset()
  for (const name of ['main-kv', 'other-kv']) s.addVault({ name, tenantId: TENANT, grants: { [APP]: ['get'] } })
  s.vault('main-kv').setSecret('db-password', 'a')
  s.vault('other-kv').setSecret('api-key', 'b')
  s.addOidcApp(TENANT, APP)
  const twoVaults = await runAction({
    inputs: {
      'vault-name': 'main-kv',
      secrets: 'db-password\nKEY=https://other-kv.vault.azure.net/secrets/api-key',
      'client-id': APP,
      'tenant-id': TENANT
    },
    standin: s,
    env: s.oidcEnv()
  })
  show(`two vaults (exit ${twoVaults.exitCode})`)
} finally {
  await s.stop()
}
