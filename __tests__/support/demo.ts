/**
 * `npm run demo`: the action against the local stand-in, signed in with GitHub OIDC, as a job would
 * run it: set a multi-line secret, get it back, rotate it to a generated value, delete it and
 * recover it. For each step it prints the log as GitHub
 * would show it (after masking) and the outputs a later step receives.
 */
import { runAction, type RunResult } from './runner.js'
import { StandIn } from './standin/index.js'

const TENANT_ID = '11111111-1111-1111-1111-111111111111'
const CLIENT_ID = '22222222-2222-2222-2222-222222222222'
const SUBJECT = 'repo:octo-org/app:ref:refs/heads/main'
const SECRET_VALUE = 'correct horse\nbattery staple'

interface Step {
  readonly title: string
  readonly inputs: Readonly<Record<string, string>>
}

const common = {
  'vault-name': 'contoso-kv',
  'secret-name': 'db-password',
  'client-id': CLIENT_ID,
  'tenant-id': TENANT_ID
}

const steps: readonly Step[] = [
  { title: 'Store a multi-line secret', inputs: { ...common, operation: 'set', 'secret-value': SECRET_VALUE } },
  { title: 'Read it back', inputs: { ...common, operation: 'get' } },
  {
    title: 'Rotate it: generate a new value that expires in 90 days',
    inputs: {
      ...common,
      operation: 'set',
      generate: 'true',
      'generate-length': '24',
      expires: '90d',
      tags: 'rotated-by=demo'
    }
  },
  { title: 'Delete it', inputs: { ...common, operation: 'delete' } },
  { title: 'Recover it', inputs: { ...common, operation: 'recover' } }
]

/** The step header the runner prints; an input from `${{ secrets.* }}` shows as ***. */
function printHeader(index: number, step: Step): void {
  console.log(`\n=== Step ${index + 1}: ${step.title} ===`)
  console.log('Run ./ (keyvault-secrets-action)')
  console.log('  with:')
  for (const [name, value] of Object.entries(step.inputs))
    console.log(`    ${name}: ${name === 'secret-value' ? '***' : value}`)
}

function printLog(result: RunResult): void {
  console.log('--- log (masked, as GitHub shows it) ---')
  if (result.log.length === 0) console.log('(no output)')
  for (const line of result.log) console.log(line)
  for (const error of result.fileCommandErrors) console.log(`##[error]${error}`)
  console.log(`--- ${result.conclusion} (exit code ${String(result.exitCode)}, ${result.durationMs} ms) ---`)
}

/** What `steps.<id>.outputs.*` holds for later steps: real values, which is the point of the action. */
function printOutputs(result: RunResult): void {
  const rows = Object.entries(result.outputs).map(([name, value]) => [name, JSON.stringify(value)] as const)
  if (rows.length === 0) {
    console.log('outputs: (none)')
    return
  }
  const width = Math.max('output'.length, ...rows.map(([name]) => name.length))
  console.log(`${'output'.padEnd(width)} | value a later step receives`)
  console.log(`${'-'.repeat(width)}-+-${'-'.repeat(40)}`)
  for (const [name, value] of rows) console.log(`${name.padEnd(width)} | ${value}`)
}

async function main(): Promise<number> {
  const standIn = await StandIn.start()
  try {
    standIn.addVault({
      name: 'contoso-kv',
      tenantId: TENANT_ID,
      grants: { [CLIENT_ID]: ['set', 'get', 'delete', 'recover'] }
    })
    standIn.addApp({
      tenantId: TENANT_ID,
      clientId: CLIENT_ID,
      federated: [
        {
          issuer: 'https://token.actions.githubusercontent.com',
          subject: SUBJECT,
          audience: 'api://AzureADTokenExchange'
        }
      ]
    })
    standIn.github.subject = SUBJECT

    let failures = 0
    for (const [index, step] of steps.entries()) {
      printHeader(index, step)
      const result = await runAction({ inputs: step.inputs, env: standIn.oidcEnv(), standin: standIn })
      printLog(result)
      printOutputs(result)
      if (result.conclusion !== 'success') failures += 1
    }

    const requests = standIn.requests.map(
      (r) => `${r.service.padEnd(6)} ${r.method.padEnd(6)} ${r.status} ${r.host}${r.path}`
    )
    console.log(`\n=== What the services saw (${requests.length} requests) ===`)
    for (const line of requests) console.log(line)
    console.log(failures === 0 ? '\nAll steps succeeded.' : `\n${failures} step(s) failed.`)
    return failures === 0 ? 0 : 1
  } finally {
    await standIn.stop()
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error)
    process.exit(1)
  }
)
