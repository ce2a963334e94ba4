/**
 * The shims of .github/unbundled, which package.json's `overrides` put in the place of two
 * packages the action never uses: undici under @actions/core's @actions/http-client (its
 * ProxyAgent) and jsonwebtoken under @azure/msal-node (certificate credentials). Each is in
 * place, neither package is in the main step's bundle, and what each shim does when used anyway.
 */
import { describe, expect, test } from '@jest/globals'
import { readdirSync, readFileSync, realpathSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { repoRoot } from '../support/runner.js'

// @actions/core's http-client (hoisted; @actions/github has its own, older one under it).
const fromHttpClient = createRequire(join(repoRoot, 'node_modules', '@actions', 'http-client', 'package.json'))
const fromMsalNode = createRequire(join(repoRoot, 'node_modules', '@azure', 'msal-node', 'package.json'))
const fromRoot = createRequire(join(repoRoot, 'package.json'))
const shim = (name: string): string => realpathSync(join(repoRoot, '.github', 'unbundled', name, 'index.cjs'))

/** Whether a file of dist/ holds the source of a package, known by a string only that source spells. */
const holds = (file: string, marker: string): boolean =>
  readFileSync(join(repoRoot, 'dist', file), 'utf8').includes(marker)
const chunks = readdirSync(join(repoRoot, 'dist')).filter((file) => /^\d+\.index\.js$/.test(file))

describe('undici under @actions/core', () => {
  test("http-client's undici is the shim (package.json's overrides took effect)", () => {
    expect(realpathSync(fromHttpClient.resolve('undici'))).toBe(shim('undici'))
  })

  test('unbundled, it evaluates undici only when ProxyAgent is asked for, then gives the real class', () => {
    const realPath = fromRoot.resolve('undici')
    const lazy = fromHttpClient('undici') as { ProxyAgent: unknown }
    expect(fromRoot.cache[realPath]).toBeUndefined()
    const { ProxyAgent } = fromRoot('undici') as { ProxyAgent: unknown }
    expect(lazy.ProxyAgent).toBe(ProxyAgent)
  })

  test('@actions/github keeps the real undici (its fetch goes through it)', () => {
    const github = createRequire(join(repoRoot, 'node_modules', '@actions', 'github', 'package.json'))
    expect(realpathSync(github.resolve('undici'))).toBe(realpathSync(fromRoot.resolve('undici')))
  })

  test("the main step's bundle holds no undici; the GitHub chunk, which fetches through it, does", () => {
    // An error code only undici's own source spells.
    const undici = (file: string): boolean => holds(file, 'UND_ERR_CONNECT_TIMEOUT')
    expect(undici('index.js')).toBe(false)
    expect(chunks.filter(undici)).toHaveLength(1)
  })
})

describe('jsonwebtoken under @azure/msal-node', () => {
  test("msal-node's jsonwebtoken is the shim, and the real package is not installed at all", () => {
    expect(realpathSync(fromMsalNode.resolve('jsonwebtoken'))).toBe(shim('jsonwebtoken'))
    // npm links the shim where the package would be (hoisted, or under msal-node): nothing else answers to the name.
    expect(realpathSync(fromRoot.resolve('jsonwebtoken'))).toBe(shim('jsonwebtoken'))
  })

  test('signing a certificate assertion with it fails, saying what asked', () => {
    const { sign } = fromMsalNode('jsonwebtoken') as { sign: (...args: unknown[]) => string }
    expect(() => sign({}, 'key', { header: {} })).toThrow(
      "jsonwebtoken is not part of this action: @azure/msal-node asked to sign a certificate's client assertion"
    )
  })

  test('no file of dist/ holds jsonwebtoken', () => {
    // jsonwebtoken's own error for a payload it cannot sign; msal-node's certificate code is bundled, its signer is not.
    expect(['index.js', ...chunks].filter((file) => holds(file, 'expiresIn" should be a number'))).toEqual([])
  })
})
