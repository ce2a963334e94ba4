'use strict'
/*
 * undici, out of the main step's bundle: @actions/http-client (under @actions/core) imports
 * undici's ProxyAgent for fetch through a proxy (`getAgentDispatcher`), which nothing @actions/core
 * does calls: its requests (the GitHub ID token) go through node:http agents. @actions/github,
 * which does fetch through undici, has its own http-client and undici import, in the GitHub chunk
 * (loaded for `github-secrets` only). Bundled, this import alone put all of undici (430 KiB, more
 * than half of dist/index.js) in the file every run compiles first: a cold `get` took 6-8 % longer
 * (`npm run bench:startup`). package.json's `overrides` put this module in undici's place under
 * @actions/core only.
 *
 * Node's own require is reached by a computed name: ncc follows `require('undici')` and
 * `module.require('undici')` into the bundle, not this. Unbundled (the unit tests) it hands out the
 * real undici; in the bundle there is no such require, and the error below says what asked, so a
 * dependency update that starts using ProxyAgent fails the end-to-end proxy tests (OIDC through a
 * proxy) rather than letting undici back into the bundle unnoticed (`unit/unbundled.test.ts`).
 */
const REQUIRE = 'require'
let undici

function load() {
  if (undici) return undici
  const nodeRequire = module[REQUIRE]
  if (typeof nodeRequire !== 'function')
    throw new Error(
      "undici is not in the main step's bundle, and @actions/http-client asked for its ProxyAgent (.github/unbundled/undici)"
    )
  return (undici = nodeRequire.call(module, 'undici'))
}

// The assignment names the export for Node's own ESM loader (its CommonJS lexer drops a name that
// defineProperty gives a getter), for @actions/core run unbundled, as in tests: that loader reads
// the value at import, so there undici loads at once. In the bundle it is read where it is used.
exports.ProxyAgent = undefined
Object.defineProperties(exports, { ProxyAgent: { enumerable: true, get: () => load().ProxyAgent } })
