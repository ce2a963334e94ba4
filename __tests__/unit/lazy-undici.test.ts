/**
 * The lazy undici shim (.github/lazy-undici): @actions/core's @actions/http-client resolves undici
 * to it, so importing @actions/core no longer evaluates undici; and what it hands out is the real
 * undici's ProxyAgent, so http-client's proxy support is unchanged when it is used.
 */
import { describe, expect, test } from '@jest/globals'
import { realpathSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { repoRoot } from '../support/runner.js'

// @actions/core's http-client (hoisted; @actions/github has its own, older one under it).
const httpClient = join(repoRoot, 'node_modules', '@actions', 'http-client', 'package.json')
const fromHttpClient = createRequire(httpClient)
const fromRoot = createRequire(join(repoRoot, 'package.json'))

describe('the lazy undici under @actions/core', () => {
  test("http-client's undici is the shim (package.json overrides took effect)", () => {
    expect(realpathSync(fromHttpClient.resolve('undici'))).toBe(
      realpathSync(join(repoRoot, '.github', 'lazy-undici', 'index.cjs'))
    )
  })

  test('it evaluates undici only when ProxyAgent is asked for, then gives the real class', () => {
    const realPath = fromRoot.resolve('undici')
    const shim = fromHttpClient('undici') as { ProxyAgent: unknown }
    expect(fromRoot.cache[realPath]).toBeUndefined()
    const { ProxyAgent } = fromRoot('undici') as { ProxyAgent: unknown }
    expect(shim.ProxyAgent).toBe(ProxyAgent)
  })

  test('@actions/github keeps the real undici (its fetch goes through it)', () => {
    const github = createRequire(join(repoRoot, 'node_modules', '@actions', 'github', 'package.json'))
    expect(realpathSync(github.resolve('undici'))).toBe(realpathSync(fromRoot.resolve('undici')))
  })
})
