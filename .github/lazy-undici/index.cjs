'use strict'
/*
 * undici, loaded the first time it is used rather than when it is imported.
 *
 * @actions/http-client (under @actions/core) imports undici's ProxyAgent when it loads, for fetch
 * through a proxy, so every run that imports @actions/core evaluated all of undici: about 30 ms of a
 * 220 ms cold start (`npm run bench:startup`), for a class this action's requests never construct
 * (@actions/core's own requests go through node:http agents). package.json's `overrides` put this
 * module in undici's place under @actions/core only; it hands out the real undici (the root
 * dependency, the same version range), which ncc still bundles, the first time ProxyAgent is asked
 * for. @actions/github keeps its own undici import. `unit/lazy-undici.test.ts` checks both halves.
 */
let undici
const load = () => (undici ??= require('undici'))

// The assignment names the export for Node's own ESM loader (its CommonJS lexer drops a name that
// defineProperty gives a getter), for @actions/core run unbundled, as in tests: that loader reads
// the value at import, so there undici loads at once. In the bundle it is read where it is used.
exports.ProxyAgent = undefined
Object.defineProperties(exports, { ProxyAgent: { enumerable: true, get: () => load().ProxyAgent } })
