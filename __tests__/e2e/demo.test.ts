/**
 * `npm run demo` (__tests__/support/demo.ts), which the README's picture is drawn from: every step
 * ends as intended, the failing step gives its advice, the requests are labelled, the outputs show
 * what GitHub's log would, and the job summary renders as text.
 */
import { expect, test } from '@jest/globals'
import { runDemo } from '../support/demo.js'
import { summaryToText } from '../support/summary-text.js'

test('the demo: five steps succeed, the list step fails with its advice, the 401 is labelled the normal challenge', async () => {
  const run = await runDemo(false)
  expect(run.unexpected).toBe(0)
  expect(run.steps.map((step) => step.conclusion)).toEqual([
    'success',
    'success',
    'success',
    'success',
    'success',
    'failure'
  ])
  const failing = run.steps.at(-1)
  expect(failing?.log.join('\n')).toMatch(
    /may not list secrets in vault 'contoso-kv'.*grant the secret permission 'list'/
  )
  for (const step of run.steps) {
    expect(step.requests.find((line) => / 401 /.test(line))).toMatch(/<- challenge: normal, not an error/)
    expect(step.requests.find((line) => line.startsWith('entra'))).toMatch(/<- token request/)
  }
  const read = run.steps[1]
  expect(read?.outputs.find(([name]) => name === 'value')).toEqual([
    'value',
    JSON.stringify('correct horse\nbattery staple'),
    JSON.stringify('***\n***')
  ])
  const summary = summaryToText(run.steps.map((step) => step.summary).join(''))
  expect(summary.filter((line) => line === '### Azure Key Vault secrets: contoso-kv')).toHaveLength(5)
  expect(summary.join('\n')).not.toContain('correct horse')
}, 120_000)

test('summaryToText: headings, aligned tables, entities decoded', () => {
  const html =
    '<h3>Azure Key Vault secrets: a&amp;b</h3>\n<table><tr><th>Secret</th><th>Went to</th></tr><tr><td>db-password</td><td>env &lt;DB&gt;</td></tr></table>\n'
  expect(summaryToText(html)).toEqual([
    '### Azure Key Vault secrets: a&b',
    'Secret      | Went to',
    '------------+---------',
    'db-password | env <DB>'
  ])
})

test('summaryToText: an empty cell, which core.summary leaves unclosed, keeps its column', () => {
  const html =
    '<h3>Azure Key Vault secrets: kv</h3>\n<table><tr><th>Secret</th><th>Expires</th><th>Went to</th></tr><tr><td>db</td><td><td>output value</td></tr></table>\n'
  expect(summaryToText(html)).toEqual([
    '### Azure Key Vault secrets: kv',
    'Secret | Expires | Went to',
    '-------+---------+-------------',
    'db     |         | output value'
  ])
})
