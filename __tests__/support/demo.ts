/**
 * `npm run demo`: the action against the local stand-in, signed in with GitHub OIDC, as a job would
 * run it: set a multi-line secret, get it back, rotate it to a generated value, delete it, recover
 * it, and one step that fails (the app lacks the list permission) to show the advice it gives. For
 * each step it prints the log as GitHub would show it (after masking), the outputs a later step
 * receives next to what GitHub's log would show if that step printed them, and the requests the
 * services saw, each labelled. At the end, the job summary as GitHub renders it, in text.
 *
 * `runDemo()` is also what .github/scripts/screenshot.ts runs to draw docs/images/demo-run.png.
 */
import { fileURLToPath } from 'node:url'
import { SecretMasker } from './masking.js'
import { runAction, type RunResult } from './runner.js'
import { StandIn, type RequestRecord } from './standin/index.js'
import { summaryToText } from './summary-text.js'

const TENANT_ID = '11111111-1111-1111-1111-111111111111'
const CLIENT_ID = '22222222-2222-2222-2222-222222222222'
const SUBJECT = 'repo:octo-org/app:ref:refs/heads/main'
const SECRET_VALUE = 'correct horse\nbattery staple'

interface Step {
  readonly id: string
  readonly title: string
  readonly inputs: Readonly<Record<string, string>>
  /** The demo shows this step failing on purpose. */
  readonly fails?: true
}

const common = {
  'vault-name': 'contoso-kv',
  'secret-name': 'db-password',
  'client-id': CLIENT_ID,
  'tenant-id': TENANT_ID
}

const steps: readonly Step[] = [
  {
    id: 'store',
    title: 'Store a multi-line secret',
    inputs: { ...common, operation: 'set', 'secret-value': SECRET_VALUE }
  },
  { id: 'kv', title: 'Read it back', inputs: { ...common, operation: 'get' } },
  {
    id: 'rotate',
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
  { id: 'remove', title: 'Delete it', inputs: { ...common, operation: 'delete' } },
  { id: 'restore', title: 'Recover it', inputs: { ...common, operation: 'recover' } },
  {
    id: 'inventory',
    title: 'List the vault (fails on purpose: the app was given no list permission)',
    inputs: { 'vault-name': 'contoso-kv', operation: 'list', 'client-id': CLIENT_ID, 'tenant-id': TENANT_ID },
    fails: true
  }
]

/** One step of the demo, as printed (and as the screenshot draws it). */
export interface DemoStep {
  readonly title: string
  /** The step header the runner prints: `Run ./` and its inputs. */
  readonly header: readonly string[]
  /** The log as GitHub shows it (masked), ending with the conclusion line. */
  readonly log: readonly string[]
  readonly conclusion: 'success' | 'failure'
  readonly expectedFailure: boolean
  /** [name, value a later step receives, what GitHub's log shows if a later step prints it]. */
  readonly outputs: readonly (readonly [string, string, string])[]
  /** Each request the services saw during the step, labelled. */
  readonly requests: readonly string[]
  /** This step's part of the job summary, masked as GitHub uploads it (HTML, as core.summary writes it). */
  readonly summary: string
}

export interface DemoRun {
  readonly steps: readonly DemoStep[]
  /** Steps whose conclusion was not the one the demo expects. */
  readonly unexpected: number
}

/** The step header the runner prints; an input from `${{ secrets.* }}` shows as ***. */
function header(step: Step): string[] {
  return [
    'Run ./ (keyvault-secrets-action)',
    '  with:',
    ...Object.entries(step.inputs).map(([name, value]) => `    ${name}: ${name === 'secret-value' ? '***' : value}`)
  ]
}

/**
 * What each request is, in the words of someone reading the list. Every step's first vault request
 * goes out without a token and is answered 401: that is Key Vault's normal challenge (it names the
 * tenant and resource to sign in to), not an error.
 */
export function labelRequest(request: RequestRecord, earlier: readonly RequestRecord[]): string {
  const { service, method, status, path } = request
  if (service === 'github') return 'GitHub OIDC: the job gets its ID token (permissions: id-token: write)'
  if (service === 'entra') return 'token request: Entra ID exchanges the ID token for a Key Vault access token'
  if (service !== 'vault') return ''
  if (status === 401 && !request.authorized)
    return 'challenge: normal, not an error; the vault names the tenant to sign in to, and the SDK resends with a token'
  if (status === 403) return 'refused: the app lacks a permission (the step error says which, and how to grant it)'
  const recovering = earlier.some((r) => r.method === 'POST' && r.path.endsWith('/recover'))
  if (status === 404 && path.startsWith('/deletedsecrets/')) return 'delete still in progress: the SDK polls again'
  if (status === 404 && recovering) return 'recover still in progress: the SDK polls until it reads again'
  if (status === 404) return 'not a live secret (as expected: it is deleted, so it can be recovered)'
  if (method === 'PUT') return 'write a new version'
  if (method === 'DELETE') return 'delete (soft: recoverable until purged)'
  if (method === 'POST' && path.endsWith('/recover')) return 'recover the deleted secret'
  if (path.startsWith('/deletedsecrets/')) return 'the delete has finished'
  if (path === '/secrets' || path === '/secrets/') return 'list the names'
  return recovering ? 'recovered: it reads again' : 'read the value'
}

function requestLines(requests: readonly RequestRecord[]): string[] {
  return requests.map((r, index) => {
    const label = labelRequest(r, requests.slice(0, index))
    const line = `${r.service.padEnd(6)} ${r.method.padEnd(6)} ${r.status} ${r.host}${r.path.replace(/\/idtoken\/.*/, '/idtoken/…')}`
    return label ? `${line.padEnd(76)} <- ${label}` : line
  })
}

function describeStep(step: Step, result: RunResult, requests: readonly RequestRecord[], job: SecretMasker): DemoStep {
  const log = [
    ...result.log,
    ...result.fileCommandErrors.map((error) => `##[error]${error}`),
    `--- ${result.conclusion} (exit code ${String(result.exitCode)}, ${result.durationMs} ms)${step.fails ? ', as intended' : ''} ---`
  ]
  return {
    title: step.title,
    header: header(step),
    log,
    conclusion: result.conclusion,
    expectedFailure: step.fails === true,
    outputs: Object.entries(result.outputs).map(
      ([name, value]) => [name, JSON.stringify(value), JSON.stringify(job.mask(value))] as const
    ),
    requests: requestLines(requests),
    summary: result.summaryMasked
  }
}

function printStep(index: number, step: DemoStep, id: string): void {
  console.log(`\n=== Step ${index + 1}: ${step.title} ===`)
  for (const line of step.header) console.log(line)
  console.log('--- log (masked, as GitHub shows it) ---')
  if (step.log.length === 1) console.log('(no output)')
  for (const line of step.log) console.log(line)
  if (step.outputs.length === 0) console.log('outputs: (none)')
  else {
    const rows = [['output', 'value a later step receives', `GitHub's log if a later step printed it`], ...step.outputs]
    const widths = [0, 1].map((column) => Math.max(...rows.map((row) => row[column]?.length ?? 0)))
    rows.forEach((row, rowIndex) => {
      console.log(`${row[0]?.padEnd(widths[0] ?? 0)} | ${row[1]?.padEnd(widths[1] ?? 0)} | ${row[2]}`)
      if (rowIndex === 0)
        console.log(`${'-'.repeat(widths[0] ?? 0)}-+-${'-'.repeat(widths[1] ?? 0)}-+-${'-'.repeat(24)}`)
    })
    const shown = step.outputs.find(([, value, masked]) => value !== masked) ?? step.outputs[0]
    console.log(
      `(a later step receives the real values; had it run  echo "\${{ steps.${id}.outputs.${shown?.[0] ?? 'value'} }}"  its log would show the right-hand column: every value the action registered is *** there)`
    )
  }
  console.log(`--- what the services saw (${step.requests.length} requests) ---`)
  for (const line of step.requests) console.log(line)
}

/** Runs every step against a fresh stand-in; prints as it goes when `print` is true. */
export async function runDemo(print = true): Promise<DemoRun> {
  const standIn = await StandIn.start()
  try {
    standIn.addVault({
      name: 'contoso-kv',
      tenantId: TENANT_ID,
      // No 'list': the last step shows what a missing permission looks like.
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

    // Masks are per job: a value registered in one step is *** in every later step's log.
    const job = new SecretMasker()
    const done: DemoStep[] = []
    let unexpected = 0
    for (const [index, step] of steps.entries()) {
      const before = standIn.requests.length
      const result = await runAction({ inputs: step.inputs, env: standIn.oidcEnv(), standin: standIn })
      for (const value of result.masks) job.add(value)
      const described = describeStep(step, result, standIn.requests.slice(before), job)
      done.push(described)
      if (print) printStep(index, described, step.id)
      if ((result.conclusion === 'failure') !== (step.fails === true)) unexpected += 1
    }
    if (print) {
      console.log('\n=== Job summary (what the run page shows under "Summary", rendered as text) ===')
      for (const line of summaryToText(done.map((step) => step.summary).join(''))) console.log(line)
      console.log(
        unexpected === 0
          ? '\nEvery step ended as intended (five succeeded, the last failed on purpose).'
          : `\n${unexpected} step(s) did not end as intended.`
      )
    }
    return { steps: done, unexpected }
  } finally {
    await standIn.stop()
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  runDemo().then(
    (run) => process.exit(run.unexpected === 0 ? 0 : 1),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error)
      process.exit(1)
    }
  )
}
