/**
 * bench:startup's private network, so that every action starts as `node <runs.main>` with no preload.
 *
 * The bench runs itself again under `unshare --mount --net` (as root; otherwise with
 * `--map-root-user`, where the kernel allows unprivileged user namespaces). Inside, `lo` comes up and
 * a private /etc/hosts, bind-mounted over the real one for this process and its children only, names
 * a loopback address for each host a stand-in plays: the actions resolve them through getaddrinfo as
 * they would the real services, and connect to port 443 as they would there. Nothing leaves the
 * machine: the namespace has no interface but its own loopback.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const InsideMarker = 'BENCH_STARTUP_IN_NAMESPACE'

/** True in the copy of the bench that runs inside the namespace. */
export const insideNamespace = (): boolean => process.env[InsideMarker] === '1'

const unshareFlags = (): string[] =>
  process.getuid?.() === 0 ? ['--mount', '--net'] : ['--map-root-user', '--mount', '--net']

/** Why a namespace cannot be had here (unshare, ip or mount missing or refused); undefined when it can. */
export function namespaceUnavailable(): string | undefined {
  // What the bench does inside, once, in a throwaway namespace: bring lo up and bind-mount over /etc/hosts.
  const probe = spawnSync(
    'unshare',
    [...unshareFlags(), 'sh', '-c', 'ip link set lo up && mount --bind /etc/hosts /etc/hosts'],
    { encoding: 'utf8' }
  )
  if (probe.status === 0) return undefined
  return (probe.error?.message ?? probe.stderr.trim()) || `unshare exited with ${String(probe.status)}`
}

/** Runs this script again, with the same Node, loader and arguments, inside a new namespace; returns its exit status. */
export function rerunInNamespace(): number {
  // process.execArgv carries tsx's loader, so the copy runs this TypeScript file the same way.
  const command = [process.execPath, ...process.execArgv, ...process.argv.slice(1)]
  const child = spawnSync('unshare', [...unshareFlags(), '--fork', ...command], {
    stdio: 'inherit',
    env: { ...process.env, [InsideMarker]: '1' }
  })
  return child.status ?? 1
}

function must(command: string, args: readonly string[]): void {
  const result = spawnSync(command, args, { encoding: 'utf8' })
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')}: ${result.error?.message ?? result.stderr}`)
}

/**
 * Inside the namespace: brings lo up and puts a private /etc/hosts in place, each host name on the
 * address given. Returns a function that writes the file again (hosts added later) and one that
 * removes the temporary copy (the mount ends with the namespace).
 */
export function privateHosts(): { write: (names: ReadonlyMap<string, string>) => void; remove: () => void } {
  must('ip', ['link', 'set', 'lo', 'up'])
  const dir = mkdtempSync(join(tmpdir(), 'bench-hosts-'))
  const file = join(dir, 'hosts')
  const write = (names: ReadonlyMap<string, string>): void => {
    const lines = ['127.0.0.1 localhost', ...[...names].map(([host, address]) => `${address} ${host}`)]
    // Written in place: the bind mount shows the same file, so a rewrite is seen by the next child.
    writeFileSync(file, `${lines.join('\n')}\n`)
  }
  write(new Map())
  must('mount', ['--bind', file, '/etc/hosts'])
  return { write, remove: () => rmSync(dir, { recursive: true, force: true }) }
}
