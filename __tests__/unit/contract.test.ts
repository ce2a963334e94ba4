/**
 * One contract, four places: action.yml, the input table (src/inputs/table.ts) and the outputs in src/constants.ts, the
 * README's tables, and every workflow that uses this action (.github/examples, .github/workflows
 * and the README's yaml blocks). Each test fails naming exactly what drifted and where.
 *
 * `npm run validate` checks the same files against GitHub's schemas; a schema cannot know this
 * action's inputs, so this test does. Every step that uses the action is also read by the action's
 * own input validation (readInputs + planSignIn), so an example that the action would refuse before
 * its first request fails here.
 */
import { describe, expect, test } from '@jest/globals'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'
import { OidcRequestEnv, Outputs } from '../../src/constants.js'
import { RefusedNameGroups, RefusedPrefixes } from '../../src/envNames.js'
import { readInputs } from '../../src/operations/inputs.js'
import { planSignIn } from '../../src/inputs/signIn.js'
import { EnvFallbacks, Inputs, InputSpecs } from '../../src/inputs/table.js'
import { captureStdout, isolateEnv, setInputs } from './helpers.js'

isolateEnv()
captureStdout() // readInputs registers masks (::add-mask::) on stdout

const root = fileURLToPath(new URL('../../', import.meta.url))
const read = (path: string): string => readFileSync(join(root, path), 'utf8')

/**
 * The user docs: README.md and every docs/*.md. Tables and yaml blocks may live in any of them
 * (the README keeps the Inputs and Outputs tables; the refused names, the error codes and most
 * examples are in docs/), so the checks below read them all.
 */
const userDocFiles = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`)
]
const userDocs = (): string => userDocFiles.map(read).join('\n')

// ---------------------------------------------------------------------------------------------
// action.yml

interface InputSpec {
  description?: unknown
  required?: unknown
  default?: unknown
  deprecationMessage?: unknown
}
interface ActionMetadata {
  inputs: Record<string, InputSpec>
  outputs: Record<string, { description?: unknown }>
  runs: { using: string; main: string; post?: string }
}

const action = parse(read('action.yml')) as ActionMetadata
const actionInputs = Object.keys(action.inputs)
const actionOutputs = Object.keys(action.outputs)

/** Names in `a` but not in `b`, for messages. */
const missingFrom = (a: readonly string[], b: readonly string[]): string[] => a.filter((name) => !b.includes(name))

describe('action.yml, the input table and src/constants.ts', () => {
  test('action.yml declares exactly the inputs in the input table', () => {
    const code = Object.values(Inputs) as string[]
    expect({
      'in action.yml, not in Inputs': missingFrom(actionInputs, code),
      'in Inputs, not in action.yml': missingFrom(code, actionInputs)
    }).toEqual({
      'in action.yml, not in Inputs': [],
      'in Inputs, not in action.yml': []
    })
  })

  test('action.yml declares exactly the outputs in Outputs', () => {
    const code = Object.values(Outputs) as string[]
    expect({
      'in action.yml, not in Outputs': missingFrom(actionOutputs, code),
      'in Outputs, not in action.yml': missingFrom(code, actionOutputs)
    }).toEqual({
      'in action.yml, not in Outputs': [],
      'in Outputs, not in action.yml': []
    })
  })

  test('src reads inputs only through the Inputs constants', () => {
    const literal: string[] = []
    const walk = (folder: string): void => {
      for (const entry of readdirSync(join(root, folder), { withFileTypes: true })) {
        const path = `${folder}/${entry.name}`
        if (entry.isDirectory()) walk(path)
        else if (path.endsWith('.ts') && /getInput\(\s*['"`]/.test(read(path))) literal.push(path)
      }
    }
    walk('src')
    expect({ 'files calling getInput with a literal name': literal }).toEqual({
      'files calling getInput with a literal name': []
    })
  })

  test('every input has a description, a boolean `required` and, if any, a string default; no unknown keys', () => {
    const problems: string[] = []
    for (const [name, spec] of Object.entries(action.inputs)) {
      if (typeof spec.description !== 'string' || spec.description.trim() === '')
        problems.push(`${name}: no description`)
      if (spec.required !== undefined && typeof spec.required !== 'boolean')
        problems.push(`${name}: required is not true/false`)
      if (spec.default !== undefined && typeof spec.default !== 'string')
        problems.push(`${name}: default ${JSON.stringify(spec.default)} is not a string (quote it)`)
      for (const key of missingFrom(Object.keys(spec), ['description', 'required', 'default', 'deprecationMessage']))
        problems.push(`${name}: unknown key '${key}'`)
    }
    for (const [name, spec] of Object.entries(action.outputs)) {
      if (typeof spec.description !== 'string' || spec.description.trim() === '')
        problems.push(`output ${name}: no description`)
    }
    expect(problems).toEqual([])
  })

  test('runs on node24 from the committed dist/', () => {
    expect(action.runs.using).toBe('node24')
    expect({
      main: existsSync(join(root, action.runs.main)),
      post: action.runs.post !== undefined && existsSync(join(root, action.runs.post))
    }).toEqual({ main: true, post: true })
  })

  test("action.yml's defaults are the code's own fallbacks", () => {
    // The runner passes action.yml's defaults; local runs and tests rely on the code's. They must agree.
    const defaults = Object.fromEntries(
      Object.entries(action.inputs).flatMap(([name, spec]) =>
        typeof spec.default === 'string' ? [[name, spec.default]] : []
      )
    )
    const cases: Record<string, string>[] = [
      { [Inputs.VaultName]: 'contoso-kv', [Inputs.SecretName]: 'db-password' },
      {
        [Inputs.VaultName]: 'contoso-kv',
        [Inputs.SecretName]: 'db-password',
        [Inputs.Operation]: 'set',
        [Inputs.SecretValue]: 'v'
      },
      { [Inputs.VaultName]: 'contoso-kv', [Inputs.Operation]: 'list' }
    ]
    for (const given of cases) {
      clearInputs()
      setInputs(given)
      const withoutDefaults = readInputs(process.env)
      clearInputs()
      setInputs({ ...defaults, ...given })
      expect({ given, inputs: readInputs(process.env) }).toEqual({ given, inputs: withoutDefaults })
    }
  })
})

describe('action.yml and the input table agree on each input', () => {
  test.each(InputSpecs.map((spec) => [spec.name, spec] as const))('%s', (name, spec) => {
    const declared = action.inputs[name]
    const description = String(declared?.description ?? '')
    expect({
      default: declared?.default,
      required: declared?.required ?? false,
      // The description tells the user what the code falls back to.
      fallbackNamed: spec.envFallback === undefined || description.includes(spec.envFallback),
      // A bounded number says its bounds.
      boundsNamed: spec.bounds === undefined || description.includes(`${spec.bounds.min}`)
    }).toEqual({
      default: spec.default,
      required: false, // every input is checked by the action, which can say why; the runner only warns
      fallbackNamed: true,
      boundsNamed: true
    })
  })
})

// ---------------------------------------------------------------------------------------------
// Choice inputs: what the code accepts

const BooleanInputs = InputSpecs.filter((spec) => spec.kind === 'boolean').map((spec) => spec.name)
const Choices: Readonly<Record<string, readonly string[]>> = Object.fromEntries(
  InputSpecs.flatMap((spec) =>
    spec.kind === 'choice'
      ? [[spec.name, spec.choices ?? []]]
      : spec.kind === 'boolean'
        ? [[spec.name, ['true', 'false']]]
        : []
  )
)

describe('choice inputs', () => {
  test('booleans and choices are found (the checks below are not vacuous)', () => {
    expect(BooleanInputs).toEqual(
      expect.arrayContaining([Inputs.Generate, Inputs.ExportEnv, Inputs.Wait, Inputs.Purge, Inputs.Enabled])
    )
    expect(Object.keys(Choices)).toEqual(
      expect.arrayContaining([
        Inputs.Operation,
        Inputs.AuthType,
        Inputs.Environment,
        Inputs.GenerateCharset,
        Inputs.IfDeleted
      ])
    )
  })

  test('boolean defaults are true or false', () => {
    const wrong = InputSpecs.filter(
      (spec) => spec.kind === 'boolean' && spec.default !== undefined && !['true', 'false'].includes(spec.default)
    )
    expect(wrong.map((spec) => spec.name)).toEqual([])
  })

  test.each(Object.entries(Choices).filter(([name]) => !BooleanInputs.includes(name)))(
    "every accepted value of '%s' is named in action.yml and in the README's Inputs table",
    (name, accepted) => {
      const row = readmeTable('Inputs').get(name)?.join(' | ') ?? ''
      const description = String(action.inputs[name]?.description ?? '')
      const unnamed = accepted.flatMap((value) => [
        ...(description.includes(`\`${value}\``) ? [] : [`action.yml description lacks \`${value}\``]),
        ...(row.includes(`\`${value}\``) ? [] : [`README row lacks \`${value}\``])
      ])
      expect(unnamed).toEqual([])
    }
  )
})

// ---------------------------------------------------------------------------------------------
// README tables

/** The rows of the first table under `## <heading>` in the user docs, keyed by the first cell without backticks. */
function readmeTable(heading: string): Map<string, string[]> {
  const file = userDocFiles.find((path) => read(path).includes(`\n## ${heading}\n`))
  if (!file) throw new Error(`No '## ${heading}' section in ${userDocFiles.join(', ')}`)
  const readme = read(file)
  const start = readme.indexOf(`\n## ${heading}\n`)
  const end = readme.indexOf('\n## ', start + 1)
  const section = readme.slice(start, end < 0 ? undefined : end)
  const rows = new Map<string, string[]>()
  let inTable = false
  for (const line of section.split('\n')) {
    if (!line.startsWith('|')) {
      if (inTable) break // the first table has ended
      continue
    }
    inTable = true
    if (/^\|[-\s|:]+\|$/.test(line)) continue
    const cells = line
      .slice(1, -1)
      .split('|')
      .map((cell) => cell.trim())
    const key = cells[0] ?? ''
    if (rows.size === 0 && !key.startsWith('`')) continue // the header row
    rows.set(/^`[^`]+`$/.test(key) ? key.slice(1, -1) : key, cells.slice(1))
  }
  return rows
}

/** The README shows the AZURE_* variable an input falls back to in the default column. */
const EnvFallbackColumn: Readonly<Record<string, string>> = Object.fromEntries(
  InputSpecs.flatMap((spec) => (spec.envFallback ? [[spec.name, spec.envFallback]] : []))
)

describe('README tables', () => {
  test('the refused variable names in the docs are exactly those export-env refuses', () => {
    const readme = userDocs()
    const rows = new Map(
      [...readme.matchAll(/^\| ([^|`]+) \| ((?:`[A-Z0-9_]+`(?:, )?)+) \|$/gm)].map((match) => [
        match[1]?.trim() ?? '',
        [...(match[2] ?? '').matchAll(/`([A-Z0-9_]+)`/g)].map((name) => name[1])
      ])
    )
    const expected = new Map<string, string[]>([
      ...Object.entries(RefusedNameGroups).map(([group, names]): [string, string[]] => [group, [...names]]),
      ['names starting with', Object.keys(RefusedPrefixes)]
    ])
    expect(Object.fromEntries(rows)).toEqual(Object.fromEntries(expected))
  })

  test('the Inputs table lists exactly the inputs of action.yml', () => {
    const listed = [...readmeTable('Inputs').keys()]
    expect({
      'in action.yml, not in README': missingFrom(actionInputs, listed),
      'in README, not in action.yml': missingFrom(listed, actionInputs)
    }).toEqual({
      'in action.yml, not in README': [],
      'in README, not in action.yml': []
    })
  })

  test("the Inputs table's defaults are action.yml's (or the AZURE_* variable an input falls back to)", () => {
    const drift: string[] = []
    for (const [name, [defaultCell = '']] of readmeTable('Inputs')) {
      const actionDefault = action.inputs[name]?.default
      const shown = /^`[^`]*`$/.test(defaultCell) ? defaultCell.slice(1, -1) : defaultCell
      const fallback = EnvFallbackColumn[name]
      if (fallback !== undefined) {
        if (shown !== fallback)
          drift.push(`${name}: README shows '${shown}', expected the fallback variable \`${fallback}\``)
        if (actionDefault !== undefined) drift.push(`${name}: action.yml has a default, which would hide ${fallback}`)
        continue
      }
      if (shown !== '' && shown === defaultCell)
        drift.push(`${name}: README default '${defaultCell}' is not in backticks`)
      if (shown !== (actionDefault ?? ''))
        drift.push(`${name}: README default '${shown}', action.yml default '${String(actionDefault ?? '')}'`)
    }
    expect(drift).toEqual([])
  })

  test('the Outputs table lists exactly the outputs of action.yml, plus the one row for per-secret outputs', () => {
    const rows = [...readmeTable('Outputs').keys()]
    const literal = rows.filter((key) => /^[a-z][a-z0-9-]*$/.test(key))
    const other = rows.filter((key) => !literal.includes(key))
    expect({
      'in action.yml, not in README': missingFrom(actionOutputs, literal),
      'in README, not in action.yml': missingFrom(literal, actionOutputs),
      'non-literal rows': other.length
    }).toEqual({ 'in action.yml, not in README': [], 'in README, not in action.yml': [], 'non-literal rows': 1 })
    expect(other[0]).toMatch(/secret name/)
  })

  test('the fixed output names listed under the Outputs table are all the outputs', () => {
    const readme = userDocs()
    const sentence = /A secret whose name is one of the fixed output names \(([^)]*)\)/.exec(readme)?.[1] ?? ''
    const named = [...sentence.matchAll(/`([^`]+)`/g)].map((match) => match[1] ?? '')
    expect({ missing: missingFrom(actionOutputs, named), extra: missingFrom(named, actionOutputs) }).toEqual({
      missing: [],
      extra: []
    })
  })

  test('every Microsoft Entra error code the action explains is in the docs', () => {
    const codes = [
      ...new Set([...read('src/failures/entra.ts').matchAll(/case '(\d{5,})'/g)].map((match) => `AADSTS${match[1]}`))
    ]
    expect(codes.length).toBeGreaterThan(3)
    expect(
      missingFrom(
        codes,
        codes.filter((code) => userDocs().includes(code))
      )
    ).toEqual([])
  })
})

// ---------------------------------------------------------------------------------------------
// Workflows that use this action

/** A step that uses this action, with what the runner and the action would see. */
interface UseSite {
  /** Where it is, for messages: file, block line, job, step. */
  readonly where: string
  readonly with: Readonly<Record<string, unknown>>
  /** Environment of workflow, job and step together. */
  readonly env: Readonly<Record<string, unknown>>
  /** Whether the job may request an OIDC token; undefined for a fragment that does not say. */
  readonly idTokenWrite: boolean | undefined
}

type YamlMap = Record<string, unknown>
const isMap = (value: unknown): value is YamlMap => typeof value === 'object' && value !== null && !Array.isArray(value)

const THIS_ACTION = /^(\.\/?|[\w.-]+\/keyvault-secrets-action(@.+)?)$/

function canRequestIdToken(permissions: unknown): boolean | undefined {
  if (permissions === undefined) return undefined
  if (permissions === 'write-all') return true
  if (isMap(permissions)) return permissions['id-token'] === 'write'
  return false
}

/** Finds the steps that use this action in a whole workflow, a job-like mapping, a list of steps or one step. */
function useSites(document: unknown, where: string, wholeWorkflow: boolean): UseSite[] {
  const fromSteps = (steps: unknown, label: string, env: YamlMap, idTokenWrite: boolean | undefined): UseSite[] =>
    (Array.isArray(steps) ? steps : []).flatMap((step: unknown, index) => {
      if (!isMap(step) || typeof step.uses !== 'string' || !THIS_ACTION.test(step.uses)) return []
      const name =
        typeof step.id === 'string' ? ` (id ${step.id})` : typeof step.name === 'string' ? ` (${step.name})` : ''
      return [
        {
          where: `${label}step ${index + 1}${name}`,
          with: isMap(step.with) ? step.with : {},
          env: { ...env, ...(isMap(step.env) ? step.env : {}) },
          idTokenWrite
        }
      ]
    })
  if (Array.isArray(document)) return fromSteps(document, `${where}: `, {}, undefined)
  if (!isMap(document)) return []
  const topEnv = isMap(document.env) ? document.env : {}
  if (isMap(document.jobs)) {
    return Object.entries(document.jobs).flatMap(([jobName, job]) => {
      if (!isMap(job)) return []
      const permissions = job.permissions ?? document.permissions
      // A whole workflow without `permissions` gets the repository default, which has no id-token.
      const idTokenWrite = canRequestIdToken(permissions) ?? (wholeWorkflow ? false : undefined)
      return fromSteps(
        job.steps,
        `${where}: job ${jobName}, `,
        { ...topEnv, ...(isMap(job.env) ? job.env : {}) },
        idTokenWrite
      )
    })
  }
  if ('steps' in document)
    return fromSteps(document.steps, `${where}: `, topEnv, canRequestIdToken(document.permissions))
  return fromSteps([document], `${where}: `, {}, undefined)
}

function workflowFiles(folder: string): string[] {
  const full = join(root, folder)
  return existsSync(full)
    ? readdirSync(full)
        .filter((name) => /\.ya?ml$/.test(name))
        .sort()
        .map((name) => `${folder}/${name}`)
    : []
}

const exampleFiles = workflowFiles('.github/examples')
const sitesByFile = new Map<string, UseSite[]>()
const unparsable: string[] = []
for (const path of [...exampleFiles, ...workflowFiles('.github/workflows')]) {
  try {
    sitesByFile.set(path, useSites(parse(read(path)), path, true))
  } catch (error) {
    unparsable.push(`${path}: ${(error as Error).message}`)
  }
}

/** The user docs' ```yaml blocks, parsed leniently: a block that is not valid YAML is an error of its own. */
const readmeBlocks: { file: string; line: number; document?: unknown; error?: string }[] = []
for (const file of userDocFiles) {
  const readme = read(file)
  const fence = /^```ya?ml[^\n]*\n([\s\S]*?)^```/gm
  for (let match = fence.exec(readme); match; match = fence.exec(readme)) {
    const line = readme.slice(0, match.index).split('\n').length
    try {
      readmeBlocks.push({ file, line, document: parse(match[1] ?? '') })
    } catch (error) {
      readmeBlocks.push({ file, line, error: (error as Error).message })
    }
  }
}
const readmeSites = readmeBlocks.flatMap(({ file, line, document }) =>
  useSites(document, `${file}, yaml block at line ${line}`, isMap(document) && 'on' in document && 'jobs' in document)
)
const allSites = [...[...sitesByFile.values()].flat(), ...readmeSites]

const GUID_CLIENT = '00000000-0000-0000-0000-00000000c11e'
const GUID_TENANT = '00000000-0000-0000-0000-0000000007e7'
const WHOLE_EXPRESSION = /^\s*\$\{\{[\s\S]*\}\}\s*$/

/** What the runner would pass: scalars as strings, expressions replaced by a plausible value of the input. */
function runtimeValue(name: string, raw: unknown): string {
  const text = typeof raw === 'string' ? raw : String(raw)
  if (!text.includes('${{')) return text
  if (WHOLE_EXPRESSION.test(text)) {
    if (name === Inputs.ClientId || name === EnvFallbacks.ClientId) return GUID_CLIENT
    if (name === Inputs.TenantId || name === EnvFallbacks.TenantId) return GUID_TENANT
    if (name === Inputs.Creds)
      return JSON.stringify({ clientId: GUID_CLIENT, clientSecret: 'placeholder', tenantId: GUID_TENANT })
    if (name === Inputs.VaultUrl) return 'https://placeholder.vault.azure.net'
    // Choices, numbers and moments: empty means the default, as the code reads an empty input.
    const kind = InputSpecs.find((spec) => spec.name === name)?.kind
    if (
      kind === 'choice' ||
      kind === 'boolean' ||
      kind === 'number' ||
      name === Inputs.Expires ||
      name === Inputs.NotBefore
    )
      return ''
  }
  return text.replace(/\$\{\{[\s\S]*?\}\}/g, 'placeholder')
}

function clearInputs(): void {
  for (const name of Object.keys(process.env))
    if (name.startsWith('INPUT_') || name.startsWith('AZURE_')) delete process.env[name]
}

/** What the action's own validation says about a use site: undefined when it would start. */
function refusal(site: UseSite): string | undefined {
  clearInputs()
  const inputs = Object.fromEntries(Object.entries(site.with).map(([name, raw]) => [name, runtimeValue(name, raw)]))
  setInputs(inputs)
  // What the runner sets for every step.
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    GITHUB_REPOSITORY: 'OWNER/REPO',
    GITHUB_WORKFLOW: 'workflow',
    GITHUB_RUN_ID: '1',
    GITHUB_SHA: '0000000000000000000000000000000000000000'
  }
  for (const [name, raw] of Object.entries(site.env)) if (name.startsWith('AZURE_')) env[name] = runtimeValue(name, raw)
  if (site.idTokenWrite !== false)
    Object.assign(env, { [OidcRequestEnv.Url]: 'https://token.invalid/?x=1', [OidcRequestEnv.Token]: 'request-token' })

  // secret-value-file is read relative to the workspace: give it a file with a value.
  const workspace = mkdtempSync(join(tmpdir(), 'contract-'))
  const cwd = process.cwd()
  try {
    const valueFile = inputs[Inputs.SecretValueFile]
    if (valueFile) {
      mkdirSync(dirname(join(workspace, valueFile)), { recursive: true })
      writeFileSync(join(workspace, valueFile), 'value from the file')
    }
    process.chdir(workspace)
    planSignIn(readInputs(env).inputs.signIn, env)
    return undefined
  } catch (error) {
    return (error as Error).message
  } finally {
    process.chdir(cwd)
    rmSync(workspace, { recursive: true, force: true })
    clearInputs()
  }
}

describe('workflows that use this action', () => {
  test('every example uses the action, and the docs have it in many blocks (nothing is skipped unseen)', () => {
    expect(exampleFiles.length).toBeGreaterThanOrEqual(4)
    expect(exampleFiles.filter((path) => (sitesByFile.get(path) ?? []).length === 0)).toEqual([])
    expect(readmeSites.length).toBeGreaterThanOrEqual(12)
  })

  test('every workflow file is valid YAML', () => {
    expect(unparsable).toEqual([])
  })

  test('every yaml block in the docs is valid YAML', () => {
    expect(
      readmeBlocks.filter((block) => block.error).map((block) => `${block.file} line ${block.line}: ${block.error}`)
    ).toEqual([])
  })

  test('every example workflow is named in the docs', () => {
    const readme = userDocs()
    expect(exampleFiles.filter((path) => !readme.includes(path))).toEqual([])
  })

  test('every `with:` key is an input of action.yml', () => {
    const unknown = allSites.flatMap((site) =>
      Object.keys(site.with)
        .filter((key) => !actionInputs.includes(key))
        .map((key) => `${site.where}: '${key}' is not an input of action.yml`)
    )
    expect(unknown).toEqual([])
  })

  test('every literal value of a choice input is accepted', () => {
    const wrong = allSites.flatMap((site) =>
      Object.entries(site.with).flatMap(([name, raw]) => {
        const accepted = Choices[name]
        const value = String(raw)
        if (!accepted || value.includes('${{')) return []
        return accepted.some((choice) => choice.toLowerCase() === value.toLowerCase())
          ? []
          : [`${site.where}: ${name}: '${value}' is not one of ${accepted.join(', ')}`]
      })
    )
    expect(wrong).toEqual([])
  })

  test("the action's own input checks accept every step (expressions replaced by plausible values)", () => {
    const refused = allSites.flatMap((site) => {
      const why = refusal(site)
      return why === undefined ? [] : [`${site.where}: ${why}`]
    })
    expect(refused).toEqual([])
  })
})

// ---------------------------------------------------------------------------------------------
// Versions

describe('release metadata', () => {
  const pkg = JSON.parse(read('package.json')) as { version: string }
  const changelogHeadings = (): { version: string; rest: string }[] =>
    [...read('CHANGELOG.md').matchAll(/^## \[([^\]]+)\](.*)$/gm)].map((match) => ({
      version: match[1] ?? '',
      rest: (match[2] ?? '').trim()
    }))

  test('package.json has a semantic version that CHANGELOG.md describes', () => {
    const headings = changelogHeadings()
    expect(pkg.version).toMatch(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/)
    const described = headings.some((heading) => heading.version === pkg.version || heading.version === 'Unreleased')
    expect({ version: pkg.version, described }).toEqual({ version: pkg.version, described: true })
  })

  test('released CHANGELOG entries are dated and newest first', () => {
    const released = changelogHeadings().filter((heading) => heading.version !== 'Unreleased')
    expect(
      released.filter((heading) => !/^- \d{4}-\d{2}-\d{2}$/.test(heading.rest)).map((heading) => heading.version)
    ).toEqual([])
    // Newest first by date: a patch to an older line (1.0.1 after 1.1.0) goes on top when it is released.
    const dates = released.map((heading) => heading.rest.slice(2))
    expect(dates).toEqual([...dates].sort().reverse())
    const versions = released.map((heading) => heading.version)
    expect(versions.filter((version) => !/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(version))).toEqual([])
    expect(versions.filter((version, index) => versions.indexOf(version) !== index)).toEqual([])
  })
})
