/**
 * `npm run screenshot`: draws docs/images/demo-run.png, the README's picture of a run, from a real
 * demo run (__tests__/support/demo.ts against the local stand-in): the masked log of a step that
 * reads a secret, of a later step that prints what it received (***), of a step that fails for a
 * missing permission with its advice, and the job summary as GitHub renders it. The page is HTML
 * drawn by headless Chromium (Debian: `apt-get install chromium`; another binary with CHROMIUM=).
 *
 *   npm run screenshot                 # writes docs/images/demo-run.png
 *   npm run screenshot -- --html x.html # also keeps the page
 */
import { spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { runDemo, type DemoStep } from '../../__tests__/support/demo.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const output = join(root, 'docs/images/demo-run.png')
const chromium = process.env.CHROMIUM ?? '/usr/bin/chromium'
const Width = 1280

const escape = (text: string): string =>
  text.replace(/[&<>"]/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[char] ?? char)

/** A log line as GitHub draws it: `##[error]x` as a red "Error: x". */
function logLine(line: string): string {
  if (line.startsWith('##[error]')) return `<div class="line error">Error: ${escape(line.slice(9))}</div>`
  if (line.startsWith('##[warning]')) return `<div class="line warning">Warning: ${escape(line.slice(11))}</div>`
  if (line.startsWith('--- ')) return ''
  return `<div class="line">${escape(line)}</div>`
}

function stepBlock(title: string, header: readonly string[], log: readonly string[], failed: boolean): string {
  return `<div class="step"><div class="step-title">${failed ? '<span class="x">&#x2716;</span>' : '<span class="ok">&#x2714;</span>'} ${escape(title)}</div>
<div class="log">${header.map((line, index) => `<div class="line ${index === 0 ? 'run' : 'input'}">${escape(line)}</div>`).join('')}
${log.map(logLine).join('')}</div></div>`
}

function page(read: DemoStep, failing: DemoStep, summaries: string): string {
  const value = read.outputs.find(([name]) => name === 'value')
  const masked = value ? (JSON.parse(value[2]) as string) : ''
  const echo = [`Run echo "value=\${{ steps.kv.outputs.value }}"`]
  const printed = `value=${masked}`.split('\n')
  return `<!doctype html><html><head><meta charset="utf-8"><style>
body { margin: 0; background: #f6f8fa; font: 14px/1.5 -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: #1f2328; width: ${Width}px; }
.wrap { display: flex; gap: 20px; padding: 20px; align-items: flex-start; }
.col { flex: 1; min-width: 0; }
h2 { font-size: 15px; margin: 0 0 8px; color: #59636e; font-weight: 600; }
.job { background: #0d1117; border-radius: 6px; padding: 8px 0; border: 1px solid #30363d; }
.step { padding: 4px 0; }
.step-title { color: #e6edf3; font-weight: 600; padding: 4px 14px; }
.ok { color: #3fb950; } .x { color: #f85149; }
.log { font: 12px/1.55 "DejaVu Sans Mono", ui-monospace, monospace; color: #e6edf3; padding: 2px 14px 6px 38px; }
.line { white-space: pre-wrap; word-break: break-word; }
.run { color: #e6edf3; font-weight: 700; } .input { color: #8b949e; }
.error { color: #ff7b72; } .warning { color: #d29922; }
.summary { background: #fff; border: 1px solid #d1d9e0; border-radius: 6px; padding: 4px 18px 14px; }
.summary h3 { font-size: 15px; margin: 16px 0 8px; }
.summary table { border-collapse: collapse; font-size: 13px; }
.summary th, .summary td { border: 1px solid #d1d9e0; padding: 5px 11px; text-align: left; }
.summary th { background: #f6f8fa; }
.note { color: #59636e; font-size: 12px; margin-top: 10px; }
</style></head><body><div class="wrap">
<div class="col"><h2>The job's log, as GitHub shows it</h2><div class="job">
${stepBlock('Read a secret', read.header, read.log, false)}
${stepBlock('A later step prints what it received', echo, printed, false)}
${stepBlock(failing.title, failing.header, failing.log, true)}
</div></div>
<div class="col"><h2>The job summary</h2><div class="summary">${summaries}</div>
<div class="note">Made by <code>npm run screenshot</code> from a real run of <code>npm run demo</code> (the action's dist/ against a local Key Vault stand-in). Names, versions and destinations only: no value reaches the summary.</div></div>
</div></body></html>`
}

async function main(args: readonly string[]): Promise<number> {
  if (!existsSync(chromium)) {
    console.error(
      `No Chromium at ${chromium}. Install Debian's (apt-get install chromium) or set CHROMIUM=/path/to/chromium.`
    )
    return 1
  }
  const run = await runDemo(false)
  if (run.unexpected > 0) {
    console.error(`${run.unexpected} demo step(s) did not end as intended; not drawing the picture.`)
    return 1
  }
  const read = run.steps[1]
  const failing = run.steps.at(-1)
  if (!read || !failing) throw new Error('the demo has fewer steps than the picture shows')
  const html = page(read, failing, run.steps.map((step) => step.summary).join(''))

  const dir = mkdtempSync(join(tmpdir(), 'screenshot-'))
  try {
    const file = join(dir, 'demo-run.html')
    writeFileSync(file, html)
    const keep = args.indexOf('--html')
    if (keep >= 0 && args[keep + 1]) copyFileSync(file, args[keep + 1] ?? '')
    // Tall enough for the longer column: lines of log or summary rows, plus the frame.
    const logLines = [read, failing].reduce((sum, step) => sum + step.header.length + step.log.length * 1.6, 0) + 14
    const height = Math.ceil(Math.max(logLines * 18, run.steps.length * 130) + 40)
    mkdirSync(join(root, 'docs/images'), { recursive: true })
    const shot = join(dir, 'shot.png')
    const result = spawnSync(
      chromium,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--hide-scrollbars',
        `--user-data-dir=${join(dir, 'profile')}`,
        `--window-size=${Width},${height}`,
        `--screenshot=${shot}`,
        pathToFileURL(file).href
      ],
      { encoding: 'utf8', timeout: 120_000 }
    )
    if (result.status !== 0 || !existsSync(shot)) {
      console.error(`Chromium failed (${String(result.status)}):\n${result.stderr}`)
      return 1
    }
    copyFileSync(shot, output)
    console.log(`Wrote ${output} (${Width}x${height})`)
    return 0
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

process.exitCode = await main(process.argv.slice(2))
