/**
 * bench:startup's measures as tasks, and the round-robin that runs them: each round runs every task
 * once, in an order rotated by one each round (no system always follows the same one), after
 * untimed warm-up rounds.
 */
import { spawn } from 'node:child_process'
import { runPost, type RunResult } from '../support/runner.js'
import { record, type Samples } from './report.js'
import type { BenchContext, System, Task } from './systems.js'

/** The main step's state of each system's last cold get, for the post steps. */
export type States = Map<string, Record<string, string>>

/** `node -e 0`, with the children's CA file (Node reads it at start-up), as the floor of a Node process. */
export function nodeTask(context: BenchContext, samples: Samples): Task {
  const env = { PATH: process.env.PATH, NODE_EXTRA_CA_CERTS: context.env.NODE_EXTRA_CA_CERTS }
  return {
    key: 'node',
    run: (round) =>
      new Promise((done, fail) => {
        const started = performance.now()
        const child = spawn(context.node, ['-e', '0'], { env, stdio: 'ignore' })
        child.on('error', fail)
        child.on('close', (status) => {
          if (status !== 0) return fail(new Error(`${context.node} -e 0: exit ${String(status)}`))
          record(samples, 'node', round, performance.now() - started)
          done()
        })
      })
  }
}

/** The requests a run sent, in the order they arrived at the stand-ins, each with its ms from spawn. */
function requestsOf(r: RunResult, context: BenchContext): { at: number; text: string }[] {
  const all = [...context.s.requests, ...context.peers.requests]
  return all
    .filter((q) => q.arrived >= r.startedAt)
    .sort((a, b) => a.arrived - b.arrived)
    .map((q) => ({ at: q.arrived - r.startedAt, text: `${q.method} https://${q.host}${q.path} ${q.status}` }))
}

/** With BENCH_LOG=1, the first timed run of each system: its requests and its log, to see what was timed. */
function show(label: string, r: RunResult, requests: readonly { at: number; text: string }[]): void {
  console.log(`--- ${label}: ${r.durationMs} ms, exit ${String(r.exitCode)}`)
  for (const q of requests) console.log(`    request at ${q.at} ms: ${q.text}`)
  for (const line of r.log) console.log(`    log: ${line}`)
}

function latency(context: BenchContext, ms: number): void {
  context.s.latencyMs = ms
  context.peers.latencyMs = ms
}

/** A system's cold get (its time and its first request's), and the same at `latencyMs` a request. */
export function systemTasks(
  system: System,
  context: BenchContext,
  samples: Samples,
  states: States,
  latencyMs: number
): Task[] {
  const cold: Task = {
    key: system.key,
    run: async (round) => {
      context.s.requests.length = 0
      context.peers.requests.length = 0
      const r = await system.run(context)
      states.set(system.key, r.state)
      const requests = requestsOf(r, context)
      record(samples, system.key, round, r.durationMs)
      record(samples, `${system.key}:first`, round, requests[0]?.at ?? Number.NaN)
      record(samples, `${system.key}:requests`, round, requests.length)
      if (process.env.BENCH_LOG === '1' && round === 0) show(system.label, r, requests)
    }
  }
  const slow: Task = {
    key: `${system.key}:${latencyMs}`,
    run: async (round) => {
      latency(context, latencyMs)
      try {
        record(samples, `${system.key}:${latencyMs}`, round, (await system.run(context)).durationMs)
      } finally {
        latency(context, 0)
      }
    }
  }
  return [cold, slow]
}

/** The post step of the get `from` last ran (its state; an empty one before the first). */
export function postTask(
  key: string,
  from: string,
  actionYml: string | undefined,
  context: BenchContext,
  samples: Samples,
  states: States
): Task {
  return {
    key,
    run: async (round) => {
      // It sends no request: bare in either mode, as `node -e 0` is timed.
      const options = { standin: context.s, env: context.env, node: context.node, preload: false, actionYml }
      const r = await runPost(states.get(from) ?? {}, options)
      if (r.exitCode !== 0) throw new Error(`${key}: exit ${String(r.exitCode)}: ${r.stderr}`)
      record(samples, key, round, r.durationMs)
    }
  }
}

/** `warmup` untimed rounds, then `rounds` timed ones; progress on stderr. */
export async function roundRobin(tasks: readonly Task[], samples: Samples, warmup: number, rounds: number) {
  const started = performance.now()
  for (let round = -warmup; round < rounds; round++) {
    const shift = (((round + warmup) % tasks.length) + tasks.length) % tasks.length
    for (const task of [...tasks.slice(shift), ...tasks.slice(0, shift)]) await task.run(Math.max(round, 0))
    if (round < 0) samples.clear()
    const seconds = ((performance.now() - started) / 1000).toFixed(0)
    process.stderr.write(`${round < 0 ? 'warm-up round' : `round ${round + 1}/${rounds}`} done, ${seconds} s\n`)
  }
}
