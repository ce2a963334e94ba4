'use strict'
/*
 * undici, out of the main step's bundle: loaded the first time it is used, and only where it can be.
 *
 * @actions/http-client (under @actions/core) imports undici's ProxyAgent when it loads, for fetch
 * through a proxy (`getAgentDispatcher`). Nothing @actions/core does calls it: its requests (the
 * GitHub ID token) go through node:http agents, and @actions/github, which does fetch through
 * undici, has its own http-client and its own undici import (in the GitHub chunk, loaded only for
 * `github-secrets`). Bundled, that import alone put all of undici (430 KiB, more than half of
 * dist/index.js) in the file every run compiles first: a cold `get` took 6-8 % longer
 * (`npm run bench:startup`, BASE_ACTION without it). package.json's `overrides` put this module in
 * undici's place under @actions/core only.
 *
 * The module's own require, reached by a computed name, is not a `require` call that ncc follows,
 * so it does not bundle what it names. Unbundled (the unit tests) it is Node's own require and
 * hands out the real undici. In the bundle there is none:
 * should a later @actions/core use ProxyAgent, the step fails with the error below, and the
 * end-to-end proxy tests (which sign in with OIDC through a proxy) fail with it, rather than the
 * bundle growing back unnoticed. `unit/lazy-undici.test.ts` checks both halves.
 */
const REQUIRE = 'require'
let undici
function load() {
  if (undici) return undici
  const nodeRequire = module[REQUIRE]
  if (typeof nodeRequire !== 'function')
    throw new Error(
      "undici is not in the main step's bundle, and @actions/http-client asked for its ProxyAgent (.github/lazy-undici)"
    )
  return (undici = nodeRequire.call(module, 'undici'))
}

// The assignment names the export for Node's own ESM loader (its CommonJS lexer drops a name that
// defineProperty gives a getter), for @actions/core run unbundled, as in tests: that loader reads
// the value at import, so there undici loads at once. In the bundle it is read where it is used.
exports.ProxyAgent = undefined
Object.defineProperties(exports, { ProxyAgent: { enumerable: true, get: () => load().ProxyAgent } })
