import { describe, expect, test } from '@jest/globals'
import {
  createHttpHeaders,
  createPipelineRequest,
  type PipelineRequest,
  type PipelineResponse,
  type SendRequest
} from '@azure/core-rest-pipeline'
import { challengeGate } from '../../src/vault/challengeGate.js'

/** A request as the SDK's challenge policy would hand it on: with or without its token. */
function request(name: string): PipelineRequest {
  return createPipelineRequest({ url: `https://kv.vault.azure.net/secrets/${name}` })
}

const ok = (req: PipelineRequest): PipelineResponse => ({ request: req, status: 200, headers: createHttpHeaders() })

/**
 * The two halves of the gate around a stand-in for the challenge policy: the first request it sees
 * waits for `token` (the challenge and the sign-in) and then goes out with an Authorization header.
 */
function gatedPipeline(token: Promise<string>): {
  send: (req: PipelineRequest) => Promise<PipelineResponse>
  wire: string[]
} {
  const gate = challengeGate()
  const wire: string[] = []
  const transport: SendRequest = async (req) => {
    wire.push(`${new URL(req.url).pathname} ${req.headers.has('authorization') ? 'token' : 'none'}`)
    return ok(req)
  }
  const afterChallenge: SendRequest = (req) => gate.afterChallenge.sendRequest(req, transport)
  const challengePolicy: SendRequest = async (req) => {
    req.headers.set('authorization', `Bearer ${await token}`)
    return afterChallenge(req)
  }
  return { send: (req) => gate.beforeChallenge.sendRequest(req, challengePolicy), wire }
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

describe('challengeGate: one request meets the challenge, the others wait for its token', () => {
  test('requests after the first wait until it leaves with a token, then all go out', async () => {
    let issue = (_: string): void => undefined
    const token = new Promise<string>((resolve) => (issue = resolve))
    const { send, wire } = gatedPipeline(token)

    const sent = ['a', 'b', 'c'].map((name) => send(request(name)))
    await turn()
    expect(wire).toEqual([])

    issue('t')
    await Promise.all(sent)
    expect(wire).toEqual(['/secrets/a token', '/secrets/b token', '/secrets/c token'])
  })

  test('a failed first request opens the gate: the others are not left waiting', async () => {
    const gate = challengeGate()
    const failing: SendRequest = async () => {
      throw new Error('sign-in failed')
    }
    const passing: SendRequest = async (req) => ok(req)

    const first = gate.beforeChallenge.sendRequest(request('a'), failing)
    const second = gate.beforeChallenge.sendRequest(request('b'), passing)
    await expect(first).rejects.toThrow('sign-in failed')
    await expect(second).resolves.toMatchObject({ status: 200 })
  })

  test('once open, requests pass straight through', async () => {
    const { send, wire } = gatedPipeline(Promise.resolve('t'))
    await send(request('a'))
    await Promise.all([send(request('b')), send(request('c'))])
    expect(wire).toHaveLength(3)
  })
})
