// A real HTTP proxy (the `proxy` package: CONNECT tunnels and absolute-form plain-HTTP requests),
// run as its own process by proxy.ts:
//
//   node --import <route.mjs URL> proxy-server.mjs      with STANDIN_ROUTE = the stand-in's route
//
// The preload makes the public host names resolve to the stand-in's address; a tunnel to a routed
// host's port 443 is opened to the stand-in's port (the proxy opens raw TCP with net.connect, which
// the preload leaves alone). Names the stand-in does not play fail DNS here too, so the proxy
// answers their CONNECT 404, as a real proxy does for a name it cannot resolve.
//
// Talks to its parent over the IPC channel only:
//   -> { listening: port }                         once, when it accepts connections
//   <- { id, query: 'events' }                      -> { id, events }  (events: see ProxyEvent in proxy.ts)
//   <- { id, query: 'reset', route }                -> { id, events: [] }  forgets the events; takes the
//                                                      stand-in's current route (vaults added since)
// Every event is recorded when the proxy reads the request, before it answers, so a client that
// got its tunnel (or its answer) has been recorded by the time it can act on it.

import http from 'node:http'
import { syncBuiltinESMExports } from 'node:module'
import net from 'node:net'
import { createProxy } from 'proxy'
import { installRoute, routeDecision } from './route.mjs'

let route = process.env.STANDIN_ROUTE ? JSON.parse(process.env.STANDIN_ROUTE) : undefined
if (!route) throw new Error('proxy-server.mjs: STANDIN_ROUTE is not set (start it with proxy.ts startProxy)')

/** @type {{ kind: 'connect' | 'request', target: string, method: string, at: number }[]} */
let events = []

const originalConnect = net.connect
function routedConnect(...args) {
  const [options] = args
  if (
    options !== null &&
    typeof options === 'object' &&
    !options.path &&
    Number(options.port) === 443 &&
    routeDecision(String(options.host ?? '')) === 'route'
  ) {
    // Keep the name (for the log and the preload's lookup); only the port of the stand-in differs.
    return originalConnect.call(net, { ...options, port: route.port }, ...args.slice(1))
  }
  return originalConnect.apply(net, args)
}
net.connect = routedConnect
net.createConnection = routedConnect
syncBuiltinESMExports()

const server = http.createServer()
// Registered before createProxy's own listeners, so the record exists before the proxy answers.
server.on('connect', (req) => {
  events.push({ kind: 'connect', target: String(req.url), method: 'CONNECT', at: Date.now() })
})
server.on('request', (req) => {
  let target = String(req.url)
  try {
    target = new URL(target).host
  } catch {
    // Origin-form: not a proxy request; the proxy answers it 400.
  }
  events.push({ kind: 'request', target, method: String(req.method), at: Date.now() })
})
createProxy(server)

process.on('message', (message) => {
  if (message?.query === 'reset') {
    events = []
    if (message.route) {
      installRoute(message.route)
      route = message.route
    }
  }
  process.send?.({ id: message?.id, events })
})
// The parent went away: nothing is left to serve.
process.on('disconnect', () => process.exit(0))

server.listen(0, '127.0.0.1', () => {
  process.send?.({ listening: server.address().port })
})
