/**
 * The CI conventions of .github/scripts/conventions.ts (run by `npm run validate`): the
 * repository's own files keep them, and each rule catches what it is for. Also the one rule that
 * holds for the docs' yaml blocks and the example workflows too: no `${{ }}` in a `run:` script.
 */
import { describe, expect, test } from '@jest/globals'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  checkDependabot,
  checkDocUses,
  checkNodeVersion,
  checkRunExpressions,
  checkUsesLines,
  checkWorkflow
} from '../../.github/scripts/conventions.js'

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
  test('the examples and the yaml blocks of the docs pin every action but this one by SHA', () => {
    const files = (folder: string, ending: string): string[] =>
      readdirSync(join(root, folder))
        .filter((name) => name.endsWith(ending))
        .sort()
        .map((name) => `${folder}/${name}`)
    const examples = files('.github/examples', '.yml')
    const docs = ['README.md', ...files('docs', '.md'), ...files('.github', '.md')]
    const blocks = docs.flatMap((file) =>
      [...read(file).matchAll(/^( *)```ya?ml[^\n]*\n([\s\S]*?)^\1```/gm)].map((match) => ({
        file,
        body: match[2] ?? '',
        firstLine: read(file).slice(0, match.index).split('\n').length + 1
      }))
    )
    const pinned = [...examples.map((path) => read(path)), ...blocks.map((block) => block.body)].join('\n')
    expect(pinned).toMatch(/uses: [\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+/) // the check below is not vacuous
    expect([
      ...examples.flatMap((path) => checkDocUses(path, read(path))),
      ...blocks.flatMap((block) => checkDocUses(block.file, block.body, block.firstLine))
    ]).toEqual([])
  })
  test('no ${{ }} in a run: script of a workflow, an example or a yaml block of the docs', () => {
    const files = (folder: string, ending: string): string[] =>
      readdirSync(join(root, folder))
        .filter((name) => name.endsWith(ending))
        .sort()
        .map((name) => `${folder}/${name}`)
    const workflows = [...files('.github/workflows', '.yml'), ...files('.github/examples', '.yml')]
    const docs = ['README.md', ...files('docs', '.md'), ...files('.github', '.md')]
    // Blocks indented in a list item too, taken out of that indentation.
    const blocks = docs.flatMap((file) =>
      [...read(file).matchAll(/^( *)```ya?ml[^\n]*\n([\s\S]*?)^\1```/gm)].map((match) => ({
        file,
        body: (match[2] ?? '').replace(new RegExp(`^ {0,${(match[1] ?? '').length}}`, 'gm'), ''),
        firstLine: read(file).slice(0, match.index).split('\n').length + 1
      }))
    )
    expect(blocks.length).toBeGreaterThan(20)
    expect([
      ...workflows.flatMap((path) => checkRunExpressions(path, read(path))),
      ...blocks.flatMap((block) => checkRunExpressions(block.file, block.body, block.firstLine))
    ]).toEqual([])
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

  test("docs and examples: another action by tag is reported, this action's placeholder is not", () => {
    const steps = [
      '- uses: OWNER/keyvault-secrets-action@v1',
      '- uses: actions/checkout@v5',
      `- uses: azure/login@${SHA} # v3.0.1`,
      `- uses: actions/create-github-app-token@${SHA}`
    ].join('\n')
    // The block starts on line 20 of its file.
    expect(checkDocUses('docs/x.md', steps, 20).map((p) => `${p.file} ${p.message}`)).toEqual([
      "docs/x.md:21 'actions/checkout@v5' is not pinned by a full commit SHA (owner/repo@<40 hex>)",
      `docs/x.md:23 'actions/create-github-app-token@${SHA}' has no '# vX.Y.Z' comment naming the tag of that SHA`
    ])
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

describe('no ${{ }} in a run: script (checkRunExpressions)', () => {
  // The docs' example as it was: a tag `'; touch /tmp/pwned; echo '` would run in every copy of it.
  const injected = [
    '- id: x',
    '  uses: OWNER/keyvault-secrets-action@v1',
    '  with:',
    '    operation: list',
    "- run: echo '${{ steps.x.outputs.secrets-info }}' | jq -r '.[].name'"
  ].join('\n')
  const throughEnv = [
    '- id: x',
    '  uses: OWNER/keyvault-secrets-action@v1',
    '  with:',
    '    operation: list',
    '- env:',
    '    SECRETS_INFO: ${{ steps.x.outputs.secrets-info }}',
    "  run: printf '%s' \"$SECRETS_INFO\" | jq -r '.[].name'"
  ].join('\n')

  test('a snippet of steps with the expression in run: is reported with its file and line', () => {
    // The block starts on line 400 of the file (the line below its fence).
    const problems = checkRunExpressions('docs/operations.md', injected, 400)
    expect(problems.map((problem) => problem.file)).toEqual(['docs/operations.md:404'])
    expect(problems[0]?.message).toBe(
      'run: holds ${{ steps.x.outputs.secrets-info }}, which the runner pastes into the script before the shell reads it, ' +
        'so whoever chose that text writes shell code. Pass it through env: (SECRETS_INFO: ${{ steps.x.outputs.secrets-info }}) ' +
        'and quote it in the script ("$SECRETS_INFO").'
    )
  })

  test('the same value through env:, quoted in the script, passes', () => {
    expect(checkRunExpressions('docs/operations.md', throughEnv, 400)).toEqual([])
  })

  test('every expression of a multi-line script, on its own line, in a whole workflow and in a composite action', () => {
    const script = [
      '      - run: |',
      '          set -eu',
      '          echo "${{ needs.read.outputs.names }}"',
      '          cp x "${{ runner.temp }}/y" && echo ${{ env.DB_PASSWORD }}'
    ].join('\n')
    expect(checkRunExpressions('w.yml', workflow(`    steps:\n${script}\n`)).map((p) => p.file)).toEqual([
      'w.yml:11',
      'w.yml:12',
      'w.yml:12'
    ])
    const composite = `runs:\n  using: composite\n  steps:\n${script.replace(/^ {4}/gm, '')}\n        shell: bash\n`
    expect(checkRunExpressions('action.yml', composite).map((p) => p.file)).toEqual([
      'action.yml:6',
      'action.yml:7',
      'action.yml:7'
    ])
  })

  test.each([
    'runner.temp', // in the environment already: "$RUNNER_TEMP"
    'matrix.target', // a matrix can be fromJSON of a job's outputs
    'github.event.issue.title',
    'fromJSON(steps.kv.outputs.expiring)[0].name',
    'inputs.environment'
  ])('no context is allowed, not even ${{ %s }}', (expression) => {
    expect(checkRunExpressions('w.yml', `- run: echo \${{ ${expression} }}`)).toHaveLength(1)
  })

  test('expressions outside run: (with:, env:, if:, names) are not scripts', () => {
    const steps = [
      '- name: Deploy ${{ matrix.target }}',
      '  if: steps.kv.outputs.expiring',
      '  uses: OWNER/keyvault-secrets-action@v1',
      '  with:',
      '    secret-value: ${{ steps.issue.outputs.key }}',
      '  env:',
      '    RUN: ${{ steps.kv.outputs.value }}',
      '- run: ./deploy.sh "$RUN"'
    ].join('\n')
    expect(checkRunExpressions('docs/x.md', steps)).toEqual([])
  })

  test('a block that is not YAML is reported, not skipped', () => {
    expect(checkRunExpressions('docs/x.md', '- run: [unclosed', 7).map((p) => p.file)).toEqual(['docs/x.md:7'])
  })
})
