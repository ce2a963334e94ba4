/**
 * `useStandIn()`: the stand-in world of one test file. It registers the hooks every file that
 * talks to the stand-in needs - start it before the file's tests (beforeAll), stop it after them
 * (afterAll), reset it and lay the file's world again before each test (beforeEach) - and returns
 * what the tests use:
 *
 * ```ts
 * const { s, step, vault } = useStandIn({
 *   vault: { name: VAULT, tenantId: TENANT, clientId: APP, grants: ['get', 'list'], secrets: { 'db-password': VALUE } },
 *   seed: (s) => s.githubApi.addToken(TOKEN, { repositories: [REPO] })
 * })
 * ```
 *
 * Call it at the top of the file, before hooks of the file's own that use the stand-in: hooks run
 * in the order they are registered, so the file's own beforeEach finds the world laid. afterAll
 * hooks run in that order too, so what must end while the stand-in still listens (a proxy in front
 * of it, a route installed in this process) goes in `afterStart` and `beforeStop`.
 */
import { afterAll, beforeAll, beforeEach } from '@jest/globals'
import { StandIn, type Permission, type Vault } from './standin/index.js'
import { oidcStep, type StepRun } from './steps.js'

/** Every permission a vault grants. */
export const AllPermissions: readonly Permission[] = ['get', 'list', 'set', 'delete', 'recover', 'purge']

/** A vault, and an app that may use it and signs in with the job's GitHub OIDC token. */
export interface WorldVault {
  readonly name: string
  readonly tenantId: string
  /** The app's client ID. */
  readonly clientId: string
  /** What the app may do in the vault. */
  readonly grants: readonly Permission[]
  /** The secrets the vault holds at the start of each test, by name. */
  readonly secrets?: Readonly<Record<string, string>>
}

export interface WorldOptions {
  /** Added after each reset: the vault the file's steps read, and its OIDC app. */
  readonly vault?: WorldVault
  /** The rest of the file's world, laid after each reset (after `vault`). */
  readonly seed?: (s: StandIn) => void
  /** Runs once the stand-in has started (in the same beforeAll). */
  readonly afterStart?: (s: StandIn) => unknown
  /** Runs before the stand-in stops (in the same afterAll), even when afterStart failed. */
  readonly beforeStop?: () => unknown
}

export interface World {
  /**
   * The file's stand-in. Started in beforeAll, so this is a handle that reaches it from then on:
   * use it in hooks and tests (touching it while the file is still being read throws).
   */
  readonly s: StandIn
  /** A step with OIDC against `vault` (inputs vault-name, client-id and tenant-id given). */
  readonly step: StepRun
  /** `vault` in the stand-in. */
  readonly vault: () => Vault
  /** Resets the stand-in and lays the file's world again, as before each test (for a test that starts over). */
  readonly seed: () => void
}

export function useStandIn(options: WorldOptions = {}): World {
  let current: StandIn | undefined
  const started = (): StandIn => {
    if (!current) throw new Error('useStandIn: the stand-in is used before beforeAll started it, or after afterAll')
    return current
  }
  const s = handle(started)
  const lay = (): void => {
    const standIn = started()
    standIn.reset()
    const v = options.vault
    if (v) {
      const vault = standIn.addVault({ name: v.name, tenantId: v.tenantId, grants: { [v.clientId]: v.grants } })
      for (const [name, value] of Object.entries(v.secrets ?? {})) vault.setSecret(name, value)
      standIn.addOidcApp(v.tenantId, v.clientId)
    }
    options.seed?.(standIn)
  }
  const target = (): WorldVault => {
    if (!options.vault) throw new Error('useStandIn: step and vault() need the vault option')
    return options.vault
  }

  beforeAll(async () => {
    current = await StandIn.start()
    await options.afterStart?.(current)
  })
  afterAll(async () => {
    try {
      await options.beforeStop?.()
    } finally {
      await current?.stop()
      current = undefined
    }
  })
  beforeEach(lay)

  const step: StepRun = (inputs, runOptions) => {
    const { name, clientId, tenantId } = target()
    return oidcStep(started, { vault: name, clientId, tenantId })(inputs, runOptions)
  }
  return { s, step, vault: () => started().vault(target().name), seed: lay }
}

/**
 * A StandIn that is not there yet: every property read, write and method call goes to `get()`'s,
 * methods bound to it (so its private fields work).
 */
function handle(get: () => StandIn): StandIn {
  return new Proxy({} as StandIn, {
    get(_, key) {
      const target = get()
      const value: unknown = Reflect.get(target, key, target)
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value
    },
    set: (_, key, value) => Reflect.set(get(), key, value),
    has: (_, key) => Reflect.has(get(), key)
  })
}
