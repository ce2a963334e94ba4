/**
 * `npm run validate`: checks action.yml and every workflow against GitHub's own schemas, with
 * @actions/workflow-parser (the parser behind GitHub's Actions language server). Offline; no token.
 *
 * - action.yml, and the action.yml of each folder in .github/actions (the smoke job's helper), as
 *   action metadata (it knows `runs.using: node24`).
 * - .github/workflows/*.yml and .github/examples/*.yml, as workflows: unknown keys, wrong values
 *   (e.g. `permissions: id-token: writ`), malformed `${{ }}` expressions, unknown contexts, invalid
 *   cron schedules, jobs that cannot start.
 * - every ```yaml block in README.md and docs/*.md that is a whole workflow (top-level `on:` and `jobs:`).
 * - no `${{ }}` expression inside a `run:` script (conventions.ts, checkRunExpressions) of any of
 *   those workflows, of the local actions, or of any ```yaml block of the docs (README.md,
 *   docs/*.md, .github/*.md), whole workflow or a few steps: an expression is pasted into the
 *   script before the shell reads it, so a value from a vault (a tag, a content type, a name) would
 *   run as code. It goes through `env:` and is quoted in the script.
 * - our CI conventions (conventions.ts): actions pinned by SHA with a version comment,
 *   concurrency and timeout-minutes everywhere, setup-node from .node-version, Dependabot groups
 *   of minor and patch updates only; in the examples and every yaml block of the docs too, every
 *   action but this one pinned by SHA with a version comment (checkDocUses).
 *
 * A schema cannot know this action's inputs: __tests__/unit/contract.test.ts checks that every
 * `with:` passed to this action names a real input.
 *
 * The package imports its JSON schemas without import attributes, so this script runs under tsx.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser'
import { parseAction } from '@actions/workflow-parser/actions/action-parser'
import type { TemplateParseResult } from '@actions/workflow-parser'
import { parse } from 'yaml'
import {
  checkDependabot,
  checkDocUses,
  checkNodeVersion,
  checkRunExpressions,
  checkWorkflow,
  type Problem
} from './conventions.js'

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..')

interface Target {
  /** What the report calls it: a path, or a path and line for a README block. */
  readonly label: string
  readonly kind: 'action' | 'workflow'
  readonly content: string
}

function yamlFiles(folder: string): string[] {
  const full = join(root, folder)
  if (!existsSync(full)) return []
  return readdirSync(full)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => join(folder, name))
}

/** action.yml of each local action under .github/actions. */
function localActions(): string[] {
  const folder = join(root, '.github/actions')
  if (!existsSync(folder)) return []
  return readdirSync(folder)
    .sort()
    .map((name) => `.github/actions/${name}/action.yml`)
    .filter((path) => existsSync(join(root, path)))
}

/** README.md and docs/*.md: the user docs, whose whole workflows are checked against the schema. */
function userDocs(): string[] {
  const docs = existsSync(join(root, 'docs'))
    ? readdirSync(join(root, 'docs'))
        .filter((name) => name.endsWith('.md'))
        .sort()
        .map((name) => `docs/${name}`)
    : []
  return ['README.md', ...docs]
}

/** The user docs and .github/*.md (SECURITY.md, CONTRIBUTING.md): every file whose yaml blocks someone may copy. */
function allDocs(): string[] {
  const github = readdirSync(join(root, '.github'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `.github/${name}`)
  return [...userDocs(), ...github]
}

interface DocBlock {
  readonly file: string
  /** The line of the opening fence. */
  readonly line: number
  readonly body: string
}

/**
 * Every ```yaml block of a Markdown file, with the line of its fence; a block indented inside a list
 * item too, its body taken out of that indentation (its lines keep their numbers).
 */
function docBlocks(file: string): DocBlock[] {
  const text = readFileSync(join(root, file), 'utf8')
  const blocks: DocBlock[] = []
  const fence = /^( *)```ya?ml[^\n]*\n([\s\S]*?)^\1```/gm
  for (let match = fence.exec(text); match; match = fence.exec(text)) {
    const indent = match[1] ?? ''
    const body = (match[2] ?? '').replace(new RegExp(`^ {0,${indent.length}}`, 'gm'), '')
    blocks.push({ file, line: text.slice(0, match.index).split('\n').length, body })
  }
  return blocks
}

/** ```yaml blocks of README.md and docs/*.md that are whole workflows, with the line each starts on. */
function readmeWorkflows(): Target[] {
  return userDocs()
    .flatMap(docBlocks)
    .flatMap(({ file, line, body }): Target[] => {
      let document: unknown
      try {
        document = parse(body)
      } catch {
        return [] // fragments are checked by the contract test; a whole workflow is valid YAML
      }
      return document && typeof document === 'object' && 'on' in document && 'jobs' in document
        ? [{ label: `${file}:${line}`, kind: 'workflow', content: body }]
        : []
    })
}

function messages(result: TemplateParseResult): string[] {
  return result.context.errors.getErrors().map((error) => error.message)
}

async function validate(target: Target): Promise<string[]> {
  const file = { name: target.label, content: target.content }
  const trace = new NoOperationTraceWriter()
  if (target.kind === 'action') return messages(parseAction(file, trace))
  const parsed = parseWorkflow(file, trace)
  const errors = messages(parsed)
  if (errors.length > 0 || !parsed.value) return errors
  // Conversion adds what the schema alone cannot see: cron syntax, job dependencies, matrices.
  const template = await convertWorkflowTemplate(parsed.context, parsed.value)
  return (template.errors ?? []).map((error) => error.Message)
}

async function main(): Promise<number> {
  const workflows = [...yamlFiles('.github/workflows'), ...yamlFiles('.github/examples')]
  const targets: Target[] = [
    { label: 'action.yml', kind: 'action', content: readFileSync(join(root, 'action.yml'), 'utf8') },
    ...localActions().map((path): Target => ({
      label: path,
      kind: 'action',
      content: readFileSync(join(root, path), 'utf8')
    })),
    ...workflows.map((path): Target => ({
      label: path,
      kind: 'workflow',
      content: readFileSync(join(root, path), 'utf8')
    })),
    ...readmeWorkflows()
  ]
  if (yamlFiles('.github/examples').length === 0) {
    process.stderr.write(`No example workflows found in ${relative(process.cwd(), join(root, '.github/examples'))}.\n`)
    return 1
  }
  let failed = 0
  for (const target of targets) {
    const errors = await validate(target)
    if (errors.length === 0) {
      process.stdout.write(`ok    ${target.label} (${target.kind})\n`)
      continue
    }
    failed += 1
    process.stdout.write(`FAIL  ${target.label} (${target.kind})\n`)
    for (const error of errors) process.stdout.write(`      ${error}\n`)
  }
  process.stdout.write(`${targets.length - failed} of ${targets.length} files valid\n`)
  const conventions = checkConventions()
  for (const problem of conventions) process.stdout.write(`FAIL  ${problem.file}: ${problem.message}\n`)
  process.stdout.write(
    conventions.length === 0
      ? 'CI conventions kept (pinned actions in workflows, examples and docs, concurrency, timeouts, .node-version, Dependabot groups)\n'
      : `${conventions.length} CI convention problem(s)\n`
  )
  const scripts = checkScripts(workflows)
  for (const problem of scripts) process.stdout.write(`FAIL  ${problem.file}: ${problem.message}\n`)
  process.stdout.write(
    scripts.length === 0
      ? 'No ${{ }} expression in a run: script (workflows, examples, local actions, every yaml block of the docs)\n'
      : `${scripts.length} expression(s) in run: scripts: a value someone else chose would run as shell code\n`
  )
  return failed === 0 && conventions.length === 0 && scripts.length === 0 ? 0 : 1
}

/** `${{ }}` in a `run:` script: of every workflow, example and local action, and of every yaml block of the docs. */
function checkScripts(workflows: readonly string[]): Problem[] {
  const text = (path: string): string => readFileSync(join(root, path), 'utf8')
  return [
    ...[...workflows, ...localActions()].flatMap((path) => checkRunExpressions(path, text(path))),
    ...allDocs()
      .flatMap(docBlocks)
      .flatMap(({ file, line, body }) => checkRunExpressions(file, body, line + 1))
  ]
}

function checkConventions(): Problem[] {
  const text = (path: string): string => readFileSync(join(root, path), 'utf8')
  const nodeVersion = existsSync(join(root, '.node-version')) ? text('.node-version') : ''
  return [
    ...yamlFiles('.github/workflows').flatMap((path) => checkWorkflow(path, text(path))),
    ...yamlFiles('.github/examples').flatMap((path) => checkDocUses(path, text(path))),
    ...allDocs()
      .flatMap(docBlocks)
      .flatMap(({ file, line, body }) => checkDocUses(file, body, line + 1)),
    ...checkNodeVersion(nodeVersion, text('action.yml')),
    ...checkDependabot('.github/dependabot.yml', text('.github/dependabot.yml'))
  ]
}

process.exitCode = await main()
