/**
 * The lazy undici shim (.github/lazy-undici): @actions/core's @actions/http-client resolves undici
 * to it, so importing @actions/core no longer evaluates undici, and the main step's bundle does not
 * hold it; unbundled, what it hands out is the real undici's ProxyAgent.
 */
import { describe, expect, test } from '@jest/globals'
import { readdirSync, readFileSync, realpathSync } from 'node:fs'
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

  test("the main step's bundle holds no undici; the GitHub chunk, which fetches through it, does", () => {
    // An error code only undici's own source spells.
    const holdsUndici = (file: string): boolean =>
      readFileSync(join(repoRoot, 'dist', file), 'utf8').includes('UND_ERR_CONNECT_TIMEOUT')
    const chunks = readdirSync(join(repoRoot, 'dist')).filter((file) => /^\d+\.index\.js$/.test(file))
    expect(holdsUndici('index.js')).toBe(false)
    expect(chunks.filter(holdsUndici)).toHaveLength(1)
  })
})
