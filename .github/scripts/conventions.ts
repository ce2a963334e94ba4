/**
 * The CI conventions this repository keeps in .github/workflows, checked by `npm run validate`
 * (validate.ts) and by __tests__/unit/conventions.test.ts, so that they stay:
 *
 * - every `uses:` of another repository's action or reusable workflow is pinned by a full
 *   40-character commit SHA, with a `# vX.Y.Z` comment on the same line naming the tag it was taken
 *   from (Dependabot updates both); `./` (this action) and `docker://` images are left alone;
 * - every workflow has a top-level `concurrency`;
 * - every job has `timeout-minutes` (a job that calls a reusable workflow cannot, and is skipped);
 * - every actions/setup-node step reads `node-version-file: .node-version` and sets no
 *   `node-version` of its own;
 * - .node-version holds the major of `runs.using` in action.yml (node24 -> 24);
 * - every Dependabot group is limited to minor and patch updates, so a major comes on its own.
 *
 * The example workflows in .github/examples are for users to copy and are not held to these rules,
 * but to one of them (checkDocUses): every other action they and the docs' yaml blocks use is pinned
 * by SHA with its version comment, as the README advises; this action's own `uses:` keeps its
 * placeholder (`OWNER/keyvault-secrets-action@v1`) until a release has a SHA to name.
 *
 * One rule holds for every workflow, example and documented yaml block alike (checkRunExpressions):
 * no `${{ }}` expression inside a `run:` script.
 */
import { isScalar, parse, parseAllDocuments, visit } from 'yaml'

/** `owner/repo[/path]@<40 hex> # vX.Y.Z` */
const PinnedUses = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+(\/[^@\s]+)?@[0-9a-f]{40}$/
const VersionComment = /^#\s*v\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?\s*$/

export interface Problem {
  readonly file: string
  readonly message: string
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** `uses:` lines, read from the text: the version comment is lost once the YAML is parsed. */
export function checkUsesLines(
  file: string,
  text: string,
  firstLine = 1,
  skip: (target: string) => boolean = () => false
): Problem[] {
  const problems: Problem[] = []
  text.split(/\r?\n/).forEach((line, index) => {
    const match = /^\s*(?:-\s+)?uses:\s*(['"]?)([^\s'"#]+)\1\s*(#.*)?$/.exec(line)
    if (!match) return
    const target = match[2] ?? ''
    const comment = match[3]
    const where = `${file}:${firstLine + index}`
    if (target.startsWith('./') || target.startsWith('docker://') || skip(target)) return
    if (!PinnedUses.test(target)) {
      problems.push({ file: where, message: `'${target}' is not pinned by a full commit SHA (owner/repo@<40 hex>)` })
      return
    }
    if (!comment || !VersionComment.test(comment)) {
      problems.push({ file: where, message: `'${target}' has no '# vX.Y.Z' comment naming the tag of that SHA` })
    }
  })
  return problems
}

/** This action, as the docs and examples name it until a release: `OWNER/keyvault-secrets-action@v1`. */
const ThisAction = /^[A-Za-z0-9_.-]+\/keyvault-secrets-action(@|$)/

/**
 * An example workflow or a yaml block of the docs: every action but this one pinned by a full
 * commit SHA with a `# vX.Y.Z` comment, as the README tells users to pin. `firstLine` is the line
 * of `text`'s first line in its file.
 */
export function checkDocUses(file: string, text: string, firstLine = 1): Problem[] {
  return checkUsesLines(file, text, firstLine, (target) => ThisAction.test(target))
}

/** Concurrency, timeouts and setup-node in one parsed workflow. */
export function checkWorkflow(file: string, text: string): Problem[] {
  const problems = checkUsesLines(file, text)
  const workflow: unknown = parse(text)
  if (!isRecord(workflow)) return [...problems, { file, message: 'is not a YAML mapping' }]
  if (!('concurrency' in workflow)) problems.push({ file, message: 'has no top-level concurrency' })
  const jobs = isRecord(workflow.jobs) ? workflow.jobs : {}
  for (const [id, job] of Object.entries(jobs)) {
    if (!isRecord(job)) continue
    if (typeof job.uses !== 'string' && !('timeout-minutes' in job))
      problems.push({ file, message: `job '${id}' has no timeout-minutes` })
    const steps = Array.isArray(job.steps) ? (job.steps as unknown[]) : []
    steps.forEach((step, index) => {
      if (!isRecord(step) || typeof step.uses !== 'string' || !step.uses.startsWith('actions/setup-node@')) return
      const inputs = isRecord(step.with) ? step.with : {}
      if (inputs['node-version-file'] !== '.node-version' || 'node-version' in inputs)
        problems.push({
          file,
          message: `job '${id}' step ${index + 1}: actions/setup-node must take node-version-file: .node-version (and no node-version)`
        })
    })
  }
  return problems
}

/** .node-version against action.yml's runs.using. */
export function checkNodeVersion(nodeVersion: string, actionYml: string): Problem[] {
  const action: unknown = parse(actionYml)
  const using = isRecord(action) && isRecord(action.runs) ? String(action.runs.using) : ''
  const runtime = /^node(\d+)$/.exec(using)?.[1]
  const pinned = nodeVersion.trim()
  if (!runtime) return [{ file: 'action.yml', message: `runs.using '${using}' is not nodeNN` }]
  if (pinned.split('.')[0] !== runtime)
    return [{ file: '.node-version', message: `holds '${pinned}', but action.yml runs on ${using}` }]
  return []
}

/** Every Dependabot group: minor and patch only. */
export function checkDependabot(file: string, text: string): Problem[] {
  const config: unknown = parse(text)
  const updates = isRecord(config) && Array.isArray(config.updates) ? (config.updates as unknown[]) : []
  const problems: Problem[] = []
  for (const update of updates) {
    if (!isRecord(update) || !isRecord(update.groups)) continue
    for (const [name, group] of Object.entries(update.groups)) {
      const types = isRecord(group) && Array.isArray(group['update-types']) ? (group['update-types'] as unknown[]) : []
      const ok = types.length > 0 && types.every((type) => type === 'minor' || type === 'patch')
      if (!ok)
        problems.push({
          file,
          message: `${String(update['package-ecosystem'])} group '${name}' must set update-types: [minor, patch] (majors come on their own)`
        })
    }
  }
  return problems
}

/** A `${{ … }}` expression, as the runner finds it in any string it evaluates. */
const Expression = /\$\{\{([\s\S]*?)\}\}/g
/** `steps.kv.outputs.secrets-info`, `env.DB_PASSWORD`, `needs.a.outputs['b']`: one reference, nothing else. */
const PlainReference = /^[A-Za-z_][\w-]*(?:\.[\w-]+|\[\s*'[^']*'\s*\])*$/

/** The variable name a message suggests for an expression: its last property, as a variable (`secrets-info` -> SECRETS_INFO). */
function variableFor(expression: string): string {
  if (!PlainReference.test(expression)) return 'VALUE'
  const last = /(?:\.([\w-]+)|\[\s*'([^']*)'\s*\])$/.exec(expression)
  const name = (last?.[1] ?? last?.[2] ?? expression).toUpperCase().replace(/[^A-Z0-9_]/g, '_')
  return /^[A-Z_]/.test(name) ? name : `_${name}`
}

/**
 * `${{ }}` inside a `run:` value, in a workflow, a composite action, or a yaml block of the docs
 * (a whole workflow, a job, or a few steps: a snippet of steps is copied as it is too).
 *
 * The runner evaluates the expression and pastes the text into the script file before the shell
 * reads it, so whoever chose that text writes shell code: `echo '${{ steps.kv.outputs.secrets-info }}'`
 * runs `'; touch /tmp/pwned; echo '` from a tag any vault writer may set. The safe form passes
 * the value through `env:` and quotes it (`echo "$SECRETS_INFO" | jq ...`), where the shell never
 * reads it as code.
 *
 * There is no allow-list, on purpose. Step outputs, `needs.*` and job outputs, `env.*` (exported
 * secrets), `inputs.*`, `github.event.*`, `github.head_ref` can all carry text someone other than
 * the workflow's author chose; `matrix.*` can be built from any of them with fromJSON; and what is
 * safe (`runner.temp`, `github.workspace`, `runner.os`) is in the script's environment already
 * (`$RUNNER_TEMP`, `$GITHUB_WORKSPACE`, `$RUNNER_OS`). Nothing the docs show needs an exception,
 * and a rule without one cannot be argued with case by case.
 *
 * `firstLine` is the line of `text`'s first line in its file (a docs block starts below its fence),
 * so each problem names the file and line of the expression.
 */
export function checkRunExpressions(file: string, text: string, firstLine = 1): Problem[] {
  const lineOf = (offset: number): number => firstLine + (text.slice(0, offset).match(/\n/g)?.length ?? 0)
  const problems: Problem[] = []
  for (const document of parseAllDocuments(text)) {
    const [error] = document.errors
    if (error) {
      problems.push({
        file: `${file}:${lineOf(error.pos[0])}`,
        message: `is not valid YAML (${error.code}), so its run: scripts cannot be checked`
      })
      continue
    }
    visit(document, {
      Pair(_, pair) {
        if (!isScalar(pair.key) || pair.key.value !== 'run') return
        if (!isScalar(pair.value) || typeof pair.value.value !== 'string') return
        const script = pair.value.value
        const [start = 0, end = start] = pair.value.range ?? []
        const source = text.slice(start, end)
        let searchFrom = 0
        for (const match of script.matchAll(Expression)) {
          const found = source.indexOf(match[0], searchFrom)
          if (found >= 0) searchFrom = found + match[0].length
          const line = lineOf(found >= 0 ? start + found : (pair.key.range?.[0] ?? start))
          const inner = (match[1] ?? '').trim()
          const variable = variableFor(inner)
          problems.push({
            file: `${file}:${line}`,
            message:
              `run: holds ${match[0]}, which the runner pastes into the script before the shell reads it, so whoever ` +
              `chose that text writes shell code. Pass it through env: (${variable}: \${{ ${inner} }}) and quote it in the ` +
              `script ("$${variable}").`
          })
        }
      }
    })
  }
  return problems
}
