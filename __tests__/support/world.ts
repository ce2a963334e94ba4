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
import { AsyncLocalStorage } from 'node:async_hooks'
import { afterAll, beforeAll, beforeEach, it } from '@jest/globals'
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
  /**
   * `waiting(title, fn)`: a test whose runs mostly wait (a `timeout` that has to pass, a withheld
   * or slow answer, a Retry-After, a vault's delays), run with a stand-in of its own while the
   * file's other tests run: see `WaitingTest`.
   */
  readonly waiting: WaitingTest
  /**
   * `timed(title, fn)`: a test that measures a time (a wait it must respect, an attempt timeout of a
   * fraction of a second): it starts once every `waiting` body of the file has finished, so that it
   * runs alone in the worker, as every test did before there were waiting ones.
   */
  readonly timed: WaitingTest
}

/**
 * A test that mostly waits, started with the file's first test instead of after the tests before
 * it, so that its waits pass while the others run. It is declared where it always was, and jest
 * reports it there; its body starts early and its test awaits it (and fails with its error).
 *
 * It gets a stand-in of its own, started for it and laid with the file's world, stopped after it:
 * inside the body, the file's `s`, `step` and `vault()` are that stand-in (an AsyncLocalStorage,
 * so a helper module's `s` is too), so no other test's requests, faults or vault contents reach
 * its assertions, nor its theirs. Its child processes are the same runs as ever: only when they run
 * changes. No beforeEach runs for the body (useStandIn lays the file's world in it, as its
 * beforeEach does for the others): what a describe's beforeEach adds, the body adds itself. A body
 * that asserts a time with little slack takes its chances with what else runs in the worker then:
 * make it `timed` instead, or keep it where nothing heavy runs beside it as it measures
 * (faults-throttling.test.ts).
 */
export type WaitingTest = (title: string, fn: () => Promise<void>, timeoutMs?: number) => void

/**
 * How far apart the `waiting` bodies of a file start. A child process spends its first 150 ms or
 * so starting up at full CPU: started all at once, a file's waiting tests would crowd out the
 * stand-in's answers and turn a short attempt timeout (a third of `timeout: 1`) into a failure.
 */
const WaitingStaggerMs = 250

/** The stand-in of the `waiting` body whose code is running, if any. */
const ownStandIn = new AsyncLocalStorage<StandIn>()

export function useStandIn(options: WorldOptions = {}): World {
  let current: StandIn | undefined
  const started = (): StandIn => {
    if (!current) throw new Error('useStandIn: the stand-in is used before beforeAll started it, or after afterAll')
    return current
  }
  // Inside a `waiting` body, its own stand-in; elsewhere the file's.
  const inUse = (): StandIn => ownStandIn.getStore() ?? started()
  const s = handle(inUse)
  const lay = (): void => {
    const standIn = inUse()
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

  // The bodies of the file's `waiting` tests: all declared by the time the first hook runs.
  const early: (() => Promise<void>)[] = []
  const timers: NodeJS.Timeout[] = []
  beforeAll(() => {
    // One after another, WaitingStaggerMs apart (each child's start-up is a burst of CPU), in the
    // order declared; a test whose turn comes first starts its body then.
    early.forEach((start, index) => timers.push(setTimeout(() => void start(), index * WaitingStaggerMs)))
  })
  afterAll(async () => {
    // None may outlive the file (a test filtered out by -t still had its body started).
    for (const timer of timers) clearTimeout(timer)
    await Promise.all(early.map((start) => start()))
  })
  const waiting: WaitingTest = (title, fn, timeoutMs) => {
    let outcome: Promise<void> | undefined
    const settled = (): Promise<void> => {
      outcome ??= (async () => {
        const standIn = await StandIn.start()
        try {
          await ownStandIn.run(standIn, async () => {
            lay()
            await fn()
          })
        } finally {
          await standIn.stop()
        }
      })()
      return outcome.then(
        () => undefined,
        () => undefined
      )
    }
    early.push(settled)
    it(
      title,
      async () => {
        void settled()
        await outcome
      },
      timeoutMs
    )
  }

  const timed: WaitingTest = (title, fn, timeoutMs) => {
    it(
      title,
      async () => {
        await Promise.all(early.map((start) => start()))
        await fn()
      },
      timeoutMs
    )
  }

  const step: StepRun = (inputs, runOptions) => {
    const { name, clientId, tenantId } = target()
    return oidcStep(inUse, { vault: name, clientId, tenantId })(inputs, runOptions)
  }
  return { s, step, vault: () => inUse().vault(target().name), seed: lay, waiting, timed }
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
