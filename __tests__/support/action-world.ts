/**
 * What e2e/action.test.ts and e2e/secrets-and-sign-in.test.ts share: one stand-in per test file,
 * a vault that every sign-in method's identity may use, and a step run with OIDC by default.
 * `useActionWorld()` registers the hooks (useStandIn, world.ts); `s` is the file's stand-in.
 */
import { runAction, type RunOptions, type RunResult } from './runner.js'
export { expectSuccess } from './steps.js'
import type { StandIn } from './standin/index.js'
import { AllPermissions, useStandIn, type World } from './world.js'

export const TENANT = '11111111-1111-1111-1111-111111111111'
export const OIDC_APP = '22222222-2222-2222-2222-222222222222'
export const SP_APP = '33333333-3333-3333-3333-333333333333'
export const SP_SECRET = 'Sp~Secret.Value_0123456789'
export const CLI_APP = '44444444-4444-4444-4444-444444444444'
export const MI_APP = '55555555-5555-5555-5555-555555555555'
export const VAULT = 'contoso-kv'

// Values that break naive handling: percent signs (command escaping), CR/LF, unicode, leading
// spaces, and a line that would hijack PATH if written to GITHUB_ENV without a heredoc.
export const SpecialValues: Record<string, string> = {
  percent: '100%25 of %0A nothing %',
  crlf: 'first line\r\nsecond line\r\n',
  'lone-cr': 'alpha-part\rbravo-part',
  unicode: 'pässwörd 🔑 ключ 鍵',
  'leading-spaces': '   indented value  ',
  'path-line': 'harmless\nPATH=/tmp/evil\nGITHUB_ENV=x',
  pem: '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n  YKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----\n'
}

export let s: StandIn
let world: World | undefined

export const oidcInputs = { 'client-id': OIDC_APP, 'tenant-id': TENANT }

/** The vault every sign-in method's identity may use, and those identities. */
function lay(s: StandIn): void {
  s.addVault({
    name: VAULT,
    tenantId: TENANT,
    grants: { [OIDC_APP]: AllPermissions, [SP_APP]: AllPermissions, [CLI_APP]: ['get'], [MI_APP]: ['get'] }
  })
  s.addOidcApp(TENANT, OIDC_APP)
  s.addApp({ tenantId: TENANT, clientId: SP_APP, clientSecret: SP_SECRET })
  s.addManagedIdentity({ clientId: MI_APP, tenantId: TENANT })
}

/** Resets the stand-in and lays the world again, as before each test. */
export function seed(): void {
  if (!world) throw new Error('seed: call useActionWorld() first')
  world.seed()
}

export function run(
  inputs: Record<string, string>,
  options: Omit<RunOptions, 'inputs' | 'standin'> = {}
): Promise<RunResult> {
  return runAction({
    ...options,
    inputs: { 'vault-name': VAULT, ...inputs },
    standin: s,
    env: { ...s.oidcEnv(), ...options.env }
  })
}

/** Registers the file's hooks; returns its `waiting` and `timed` tests (support/world.ts). */
export function useActionWorld(): Pick<World, 'waiting' | 'timed'> {
  world = useStandIn({ seed: lay })
  s = world.s
  return { waiting: world.waiting, timed: world.timed }
}
