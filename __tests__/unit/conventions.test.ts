/**
 * The CI conventions of .github/scripts/conventions.ts (run by `npm run validate`): the
 * repository's own files keep them, and each rule catches what it is for.
 */
import { describe, expect, test } from '@jest/globals'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { checkDependabot, checkNodeVersion, checkUsesLines, checkWorkflow } from '../../.github/scripts/conventions.js'

const root = fileURLToPath(new URL('../../', import.meta.url))
const read = (path: string): string => readFileSync(join(root, path), 'utf8')
const SHA = '3d3c42e5aac5ba805825da76410c181273ba90b1'

const workflow = (job: string, top = 'concurrency:\n  group: x\n'): string =>
  `name: x\non: push\n${top}jobs:\n  build:\n    runs-on: ubuntu-latest\n${job}`

describe('the repository keeps its conventions', () => {
  const workflows = readdirSync(join(root, '.github/workflows')).filter((name) => name.endsWith('.yml'))
  test.each(workflows)('.github/workflows/%s', (name) => {
    const path = `.github/workflows/${name}`
    expect(checkWorkflow(path, read(path))).toEqual([])
  })
  test('.node-version matches runs.using', () => {
    expect(checkNodeVersion(read('.node-version'), read('action.yml'))).toEqual([])
  })
  test('Dependabot groups minor and patch only', () => {
    expect(checkDependabot('.github/dependabot.yml', read('.github/dependabot.yml'))).toEqual([])
  })
})

describe('each rule catches what it is for', () => {
  test('uses: by tag, by short SHA, or without a version comment', () => {
    const text = [
      '      - uses: actions/checkout@v5',
      `      - uses: actions/checkout@${SHA.slice(0, 7)} # v7.0.1`,
      `      - uses: actions/checkout@${SHA}`,
      `      - uses: actions/checkout@${SHA} # latest`,
      `      - uses: actions/checkout@${SHA} # v7.0.1`,
      `        uses: github/codeql-action/init@${SHA} # v4.36.2`,
      '      - uses: ./',
      '      - uses: docker://alpine:3'
    ].join('\n')
    expect(checkUsesLines('w.yml', text).map((p) => p.file)).toEqual(['w.yml:1', 'w.yml:2', 'w.yml:3', 'w.yml:4'])
  })

  test('a workflow without concurrency, a job without timeout-minutes', () => {
    const messages = checkWorkflow('w.yml', workflow('    steps:\n      - run: true\n', '')).map((p) => p.message)
    expect(messages).toEqual(['has no top-level concurrency', "job 'build' has no timeout-minutes"])
  })

  test('setup-node with its own node-version', () => {
    const job = `    timeout-minutes: 5\n    steps:\n      - uses: actions/setup-node@${SHA} # v7.0.0\n        with:\n          node-version: 24\n`
    expect(checkWorkflow('w.yml', workflow(job)).map((p) => p.message)).toEqual([
      "job 'build' step 1: actions/setup-node must take node-version-file: .node-version (and no node-version)"
    ])
  })

  test('a job that calls a reusable workflow needs no timeout', () => {
    const text = `name: x\non: push\nconcurrency: x\njobs:\n  call:\n    uses: octo-org/ci/.github/workflows/build.yml@${SHA} # v1.0.0\n`
    expect(checkWorkflow('w.yml', text)).toEqual([])
  })

  test('.node-version that is not the major of runs.using', () => {
    expect(checkNodeVersion('22\n', 'runs:\n  using: node24\n  main: dist/index.js\n')).toHaveLength(1)
    expect(checkNodeVersion('24.9.0\n', 'runs:\n  using: node24\n  main: dist/index.js\n')).toEqual([])
  })

  test('a Dependabot group that would take majors', () => {
    const text = `version: 2\nupdates:\n  - package-ecosystem: npm\n    directory: /\n    groups:\n      dev:\n        dependency-type: development\n      azure:\n        patterns: ['@azure/*']\n        update-types: [minor, patch, major]\n`
    expect(checkDependabot('d.yml', text).map((p) => p.message)).toEqual([
      "npm group 'dev' must set update-types: [minor, patch] (majors come on their own)",
      "npm group 'azure' must set update-types: [minor, patch] (majors come on their own)"
    ])
  })
})
