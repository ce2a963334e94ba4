// Routes the public Azure and GitHub host names to the local stand-in, with no switch in the action.
//
// Loaded as a preload:  node --import <file URL of this module> dist/index.js
// with STANDIN_ROUTE set to the JSON of StandIn.routeConfig():
//   { address, port, hosts: [...], suffixes: [...], wildcardSuffixes: [...], denyUnrouted }
//
// - tls.connect to a routed host on port 443 connects to address:port instead, keeping the host
//   name for SNI and the certificate check (the stand-in's certificate names the real hosts);
// - dns.lookup and dns.promises.lookup resolve routed hosts to the address, and fail a host under a
//   vault suffix that is not a known vault (a typo'd vault name) with a real-looking ENOTFOUND.
// Both are patched on the builtin module objects, which is what https.Agent, MSAL, @azure/core and
// @actions/http-client reach (ncc bundles call require('tls') on the real builtin), and
// syncBuiltinESMExports() updates `import { connect } from 'node:tls'` bindings too.
//
// In-process (jest), call installRoute(config) and uninstallRoute() instead.

import dns from 'node:dns'
import { syncBuiltinESMExports } from 'node:module'
import net from 'node:net'
import tls from 'node:tls'
import { promisify } from 'node:util'

const originals = {
  tlsConnect: tls.connect,
  lookup: dns.lookup,
  promisesLookup: dns.promises.lookup
}

/** @type {import('./route.d.mts').RouteConfig | undefined} */
let route
let installed = false

function normalizeHost(hostname) {
  return String(hostname).toLowerCase().replace(/\.$/, '')
}

/** 'route' | 'notfound' | 'pass' */
export function routeDecision(hostname, config = route) {
  if (!config) return 'pass'
  const host = normalizeHost(hostname)
  if (config.hosts.includes(host)) return 'route'
  if (config.wildcardSuffixes.some((suffix) => host.endsWith(suffix))) return 'route'
  if (config.suffixes.some((suffix) => host.endsWith(suffix))) return 'notfound'
  if (config.denyUnrouted && host !== 'localhost' && net.isIP(host) === 0) return 'notfound'
  return 'pass'
}

/** The error getaddrinfo gives for a name that does not exist. */
export function notFoundError(hostname) {
  const error = new Error(`getaddrinfo ENOTFOUND ${hostname}`)
  error.errno = -3008
  error.code = 'ENOTFOUND'
  error.syscall = 'getaddrinfo'
  error.hostname = hostname
  return error
}

function resolvedAddress(options) {
  const family = net.isIP(route.address)
  return options.all ? [{ address: route.address, family }] : { address: route.address, family }
}

function routedLookup(hostname, options, callback) {
  if (typeof options === 'function') {
    callback = options
    options = {}
  }
  const opts = typeof options === 'number' ? { family: options } : (options ?? {})
  const decision = routeDecision(hostname)
  if (decision === 'pass') return originals.lookup.call(dns, hostname, opts, callback)
  process.nextTick(() => {
    if (decision === 'notfound') return callback(notFoundError(hostname))
    const result = resolvedAddress(opts)
    if (Array.isArray(result)) callback(null, result)
    else callback(null, result.address, result.family)
  })
  return {}
}

async function routedPromisesLookup(hostname, options) {
  const opts = typeof options === 'number' ? { family: options } : (options ?? {})
  const decision = routeDecision(hostname)
  if (decision === 'pass') return originals.promisesLookup.call(dns.promises, hostname, opts)
  if (decision === 'notfound') throw notFoundError(hostname)
  return resolvedAddress(opts)
}

// util.promisify(dns.lookup) resolves to { address, family }; keep that for the wrapper.
routedLookup[promisify.custom] = routedPromisesLookup

/** tls.connect(options[, cb]) | tls.connect(port[, host][, options][, cb]); undefined for forms left alone. */
function normalizeTlsArgs(args) {
  const [first, second] = args
  if (first !== null && typeof first === 'object') {
    return { options: first, callback: typeof second === 'function' ? second : undefined }
  }
  if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    const rest = args.slice(1)
    let options = {}
    let host
    let callback
    if (typeof rest[0] === 'string') host = rest.shift()
    if (rest[0] !== null && typeof rest[0] === 'object') options = { ...rest.shift() }
    if (typeof rest[0] === 'function') callback = rest.shift()
    options.port = Number(first)
    if (host !== undefined) options.host = host
    return { options, callback }
  }
  return undefined
}

function routedTlsConnect(...args) {
  const normalized = normalizeTlsArgs(args)
  if (route && normalized && !normalized.options.socket && !normalized.options.path) {
    const { options, callback } = normalized
    const host = options.host ?? 'localhost'
    const port = Number(options.port ?? 443)
    if (port === 443 && routeDecision(host) === 'route') {
      const servername = options.servername ? options.servername : net.isIP(host) ? undefined : host
      const routed = { ...options, port: route.port, lookup: routedLookup, ...(servername && { servername }) }
      return originals.tlsConnect.call(tls, routed, callback)
    }
  }
  return originals.tlsConnect.apply(tls, args)
}

function parseConfig(source) {
  const text = typeof source === 'string' ? source : source?.STANDIN_ROUTE
  const config = typeof text === 'string' ? JSON.parse(text) : source
  if (!config || typeof config.port !== 'number' || typeof config.address !== 'string') {
    throw new Error('route.mjs: STANDIN_ROUTE must be the JSON of StandIn.routeConfig()')
  }
  return {
    address: config.address,
    port: config.port,
    hosts: (config.hosts ?? []).map(normalizeHost),
    suffixes: (config.suffixes ?? []).map(normalizeHost),
    wildcardSuffixes: (config.wildcardSuffixes ?? []).map(normalizeHost),
    denyUnrouted: Boolean(config.denyUnrouted)
  }
}

/**
 * Installs (or re-targets) the routing. `source` is a RouteConfig, its JSON, or an env record
 * holding STANDIN_ROUTE (default process.env). Returns uninstallRoute.
 */
export function installRoute(source = process.env) {
  route = parseConfig(source)
  if (!installed) {
    tls.connect = routedTlsConnect
    dns.lookup = routedLookup
    dns.promises.lookup = routedPromisesLookup
    syncBuiltinESMExports()
    installed = true
  }
  return uninstallRoute
}

/** Puts the builtins back as they were. */
export function uninstallRoute() {
  route = undefined
  if (!installed) return
  tls.connect = originals.tlsConnect
  dns.lookup = originals.lookup
  dns.promises.lookup = originals.promisesLookup
  syncBuiltinESMExports()
  installed = false
}

if (process.env.STANDIN_ROUTE) installRoute(process.env)
