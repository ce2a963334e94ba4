// The transport floor of `npm run bench` (b): the same reads with bare node:https, no SDK, a token
// already in hand. One read warms a connection (as the action's challenge does), then BARE_NAMES
// are read at most BARE_CONCURRENCY at a time over one keep-alive agent. Prints the ms of that round.
import https from 'node:https'
import { performance } from 'node:perf_hooks'

const { BARE_HOST, BARE_TOKEN, BARE_NAMES, BARE_CONCURRENCY } = process.env
const names = BARE_NAMES.split('\n')
const agent = new https.Agent({ keepAlive: true })

function read(name) {
  return new Promise((resolve, reject) => {
    const options = {
      host: BARE_HOST,
      path: `/secrets/${name}/?api-version=7.6`,
      agent,
      headers: { authorization: `Bearer ${BARE_TOKEN}` }
    }
    https
      .get(options, (response) => {
        let body = ''
        response.on('data', (chunk) => (body += chunk))
        response.on('end', () =>
          response.statusCode === 200
            ? resolve(JSON.parse(body).value)
            : reject(new Error(`${name}: ${response.statusCode}`))
        )
      })
      .on('error', reject)
  })
}

await read(names[0])
const started = performance.now()
let next = 0
const worker = async () => {
  while (next < names.length) await read(names[next++])
}
await Promise.all(Array.from({ length: Math.min(Number(BARE_CONCURRENCY), names.length) }, worker))
process.stdout.write(String(performance.now() - started))
agent.destroy()
