/**
 * The GitHub side of a sync, loaded only when `github-secrets` is given (a dynamic import), so a
 * plain `get` never pays for Octokit. Every request goes through @actions/github's Octokit, with
 * its retry (5xx) and throttling (rate limits, and writes spaced a second apart) plugins.
 */
import * as core from '@actions/core'
import { getOctokit } from '@actions/github'
import { retry } from '@octokit/plugin-retry'
import { throttling } from '@octokit/plugin-throttling'
import { serviceText } from '../text.js'
import { abortReason } from '../vault/deadline.js'
import type { GitHubSync } from '../inputs/github.js'
import { GitHubRefusal, GitHubSyncIncomplete, type GitHubStep } from './errors.js'
import { describeScope, WritePermission, type GitHubScope, type GitHubSecretStore } from '../inputs/githubNames.js'
import type { SyncItem } from '../inputs/githubPlan.js'
import { isUsablePublicKey, sealFor, UnusablePublicKey } from './seal.js'

/** A scope whose public key (and, for `selected`, repository ids) GitHub has answered: ready to write. */
export interface GitHubTarget {
  /** `repository octo-org/app`, for logs and messages. */
  readonly where: string
  /** Writes every item in order, telling `onWritten` of each; GitHub's names of those written. Throws GitHubSyncIncomplete naming both lists. */
  write(items: readonly SyncItem[], onWritten?: (githubName: string) => void): Promise<string[]>
}

/** Each scope's two routes, as GitHub's REST reference names them. */
const Routes: {
  readonly [S in GitHubSecretStore]: {
    readonly [K in GitHubScope['kind']]?: { readonly key: string; readonly put: string }
  }
} = {
  actions: {
    repository: {
      key: 'GET /repos/{owner}/{repo}/actions/secrets/public-key',
      put: 'PUT /repos/{owner}/{repo}/actions/secrets/{secret_name}'
    },
    environment: {
      key: 'GET /repos/{owner}/{repo}/environments/{environment_name}/secrets/public-key',
      put: 'PUT /repos/{owner}/{repo}/environments/{environment_name}/secrets/{secret_name}'
    },
    organization: {
      key: 'GET /orgs/{org}/actions/secrets/public-key',
      put: 'PUT /orgs/{org}/actions/secrets/{secret_name}'
    }
  },
  dependabot: {
    repository: {
      key: 'GET /repos/{owner}/{repo}/dependabot/secrets/public-key',
      put: 'PUT /repos/{owner}/{repo}/dependabot/secrets/{secret_name}'
    },
    organization: {
      key: 'GET /orgs/{org}/dependabot/secrets/public-key',
      put: 'PUT /orgs/{org}/dependabot/secrets/{secret_name}'
    }
  }
}

/** Retries of a rate-limited request: GitHub says how long to wait; more than this is not waited for. */
const MaxRateLimitWaitSeconds = 60
const RateLimitRetries = 2

/**
 * Asks GitHub for everything a write needs (the scope's public key, the ids of selected
 * repositories) before anything is written anywhere, so a wrong token, a missing permission or a
 * missing repository or environment fails the step with nothing rotated.
 */
export async function connectGitHub(sync: GitHubSync, signal: AbortSignal): Promise<GitHubTarget> {
  const { scope, store } = sync
  const where = describeScope(scope, store)
  const routes = Routes[store][scope.kind]
  // The reading refuses this combination; the table above keeps it a fact, not an assumption.
  if (!routes) throw new Error(`No GitHub route for ${where}`)
  const call = callerFor(octokitFor(sync.token, signal, where), signal, where, WritePermission[store][scope.kind])
  const params = scopeParams(scope)
  const key = checkedKey(await call<unknown>('key', routes.key, params), where)
  const selectedIds = await selectedRepositoryIds(scope, call)
  const fields = {
    key_id: key.keyId,
    ...(scope.kind === 'organization' ? { visibility: scope.visibility } : {}),
    ...(selectedIds ? { selected_repository_ids: selectedIds } : {})
  }
  return {
    where,
    write: (items, onWritten) =>
      writeSecrets(items, onWritten, where, async (item) => {
        const encrypted = sealFor(key.key, item.value)
        // The sealed value is as good as the secret to whoever holds the private key: masked like it.
        core.setSecret(encrypted)
        await call(
          'write',
          routes.put,
          { ...params, secret_name: item.githubName, encrypted_value: encrypted, ...fields },
          {
            secretName: item.githubName
          }
        )
      })
  }
}

/** Octokit for one scope: retries, throttling, logs through serviceText, and no redirect followed. */
function octokitFor(token: string, signal: AbortSignal, where: string): Octokit {
  const octokit = getOctokit(
    token,
    {
      // A redirect is answered, never followed: the token goes to GITHUB_API_URL's origin only.
      request: { signal, redirect: 'manual' },
      log: {
        debug: (message: string) => core.debug(serviceText(message)),
        info: (message: string) => core.debug(serviceText(message)),
        warn: (message: string) => core.info(serviceText(message)),
        error: (message: string) => core.info(serviceText(message))
      },
      throttle: {
        onRateLimit: (retryAfter: number, _options: unknown, _octokit: unknown, retryCount: number) =>
          waitForLimit('rate limit', retryAfter, retryCount),
        onSecondaryRateLimit: (retryAfter: number, _options: unknown, _octokit: unknown, retryCount: number) =>
          waitForLimit('secondary rate limit', retryAfter, retryCount)
      }
    },
    retry,
    throttling
  )
  octokit.hook.after(
    'request',
    (response: { status: number; headers: Record<string, unknown> }, options: { method: string; url: string }) => {
      if (response.status >= 300 && response.status < 400)
        throw new GitHubRefusal({
          status: response.status,
          message: `${options.method} answered with a redirect to ${typeof response.headers['location'] === 'string' ? response.headers['location'] : 'nowhere'}`,
          step: 'key',
          where
        })
    }
  )
  return octokit
}

type Octokit = ReturnType<typeof getOctokit>
type GitHubCall = <T>(
  step: GitHubStep,
  route: string,
  values: Record<string, unknown>,
  about?: { readonly secretName?: string; readonly where?: string }
) => Promise<T>

/** One request, its failure as a GitHubRefusal that says which step, where, and what permission it needs. */
function callerFor(octokit: Octokit, signal: AbortSignal, where: string, need: string | undefined): GitHubCall {
  return async <T>(
    step: GitHubStep,
    route: string,
    values: Record<string, unknown>,
    about: { readonly secretName?: string; readonly where?: string } = {}
  ): Promise<T> => {
    try {
      const response = await octokit.request(route, values)
      return response.data as T
    } catch (error) {
      // The run's `timeout` ended it: that is the failure to report, not GitHub.
      if (signal.aborted) throw abortReason(signal)
      throw GitHubRefusal.from(error, { step, where: about.where ?? where, secretName: about.secretName, need })
    }
  }
}

/** An organization secret for selected repositories: their ids, each repository checked to exist. */
async function selectedRepositoryIds(scope: GitHubScope, call: GitHubCall): Promise<number[] | undefined> {
  if (scope.kind !== 'organization' || scope.visibility !== 'selected') return undefined
  return Promise.all(
    scope.selectedRepositories.map(async (name) =>
      checkedId(
        await call<unknown>(
          'repository',
          'GET /repos/{owner}/{repo}',
          { owner: scope.org, repo: name },
          { where: `${scope.org}/${name}` }
        ),
        `${scope.org}/${name}`
      )
    )
  )
}

/** Writes in order; a failure names what was written and what was not (GitHubSyncIncomplete). */
async function writeSecrets(
  items: readonly SyncItem[],
  onWritten: ((githubName: string) => void) | undefined,
  where: string,
  writeOne: (item: SyncItem) => Promise<void>
): Promise<string[]> {
  const written: string[] = []
  for (const item of items) {
    try {
      await writeOne(item)
    } catch (caught) {
      // checkedKey refused such keys already; sealFor refuses them whoever calls it.
      const error = caught instanceof UnusablePublicKey ? unusableKey(where) : caught
      if (!(error instanceof GitHubRefusal)) throw error
      throw new GitHubSyncIncomplete(
        error,
        written,
        items.slice(written.length).map((rest) => rest.githubName),
        where
      )
    }
    written.push(item.githubName)
    onWritten?.(item.githubName)
  }
  return written
}

function scopeParams(scope: GitHubScope): Record<string, string> {
  switch (scope.kind) {
    case 'repository':
      return { owner: scope.owner, repo: scope.repo }
    case 'environment':
      return { owner: scope.owner, repo: scope.repo, environment_name: scope.environment }
    case 'organization':
      return { org: scope.org }
  }
}

function waitForLimit(kind: string, retryAfter: number, retryCount: number): boolean {
  const wait = retryCount < RateLimitRetries && retryAfter <= MaxRateLimitWaitSeconds
  core.info(
    wait
      ? `GitHub answered with its ${kind}; waiting ${retryAfter} s as it asks, then trying again.`
      : `GitHub answered with its ${kind} again (it asks to wait ${retryAfter} s); not waiting longer.`
  )
  return wait
}

/** A public key is 32 bytes in base64, with an id: anything else is not GitHub's answer. */
function checkedKey(data: unknown, where: string): { keyId: string; key: Uint8Array } {
  const record = (typeof data === 'object' && data !== null ? data : {}) as { key_id?: unknown; key?: unknown }
  const key =
    typeof record.key === 'string' && /^[A-Za-z0-9+/]{43}=$/.test(record.key)
      ? Buffer.from(record.key, 'base64')
      : undefined
  const keyId =
    typeof record.key_id === 'string' && /^[\x21-\x7e]{1,100}$/.test(record.key_id) ? record.key_id : undefined
  if (!key || key.length !== 32 || !keyId)
    throw new GitHubRefusal({
      status: 200,
      message: 'the public key it answered is not a 32-byte key with an id',
      step: 'key',
      where,
      untrusted: true
    })
  // Refused before anything is written anywhere, not at the first write.
  if (!isUsablePublicKey(key)) throw unusableKey(where)
  return { keyId, key }
}

/**
 * A key libsodium's crypto_box_seal refuses (a point of small order): whatever is sealed to it can
 * be opened by anyone, so GitHub's API, or whoever answers in its place, is not to be written to.
 */
function unusableKey(where: string): GitHubRefusal {
  return new GitHubRefusal({
    status: 200,
    message: `GitHub's public key for ${where} is not a usable key (a point of small order of Curve25519: whatever is sealed to it can be opened without any private key), so no secret was sealed to it`,
    step: 'key',
    where,
    untrusted: true
  })
}

function checkedId(data: unknown, fullName: string): number {
  const id = (typeof data === 'object' && data !== null ? data : {}) as { id?: unknown }
  if (typeof id.id !== 'number' || !Number.isSafeInteger(id.id) || id.id <= 0)
    throw new GitHubRefusal({
      status: 200,
      message: `its answer for ${fullName} has no repository id`,
      step: 'repository',
      where: fullName,
      untrusted: true
    })
  return id.id
}
