import type { PipelinePolicy } from '@azure/core-rest-pipeline'

/**
 * Lets one request meet the vault's authentication challenge while the others wait for its token.
 * The SDK's challenge policy sends every request made before the first token without one, so N
 * concurrent first reads cost N 401s and N full TLS handshakes. Held back, they go out with the
 * token instead (and resume the first connection's TLS session). The gate opens when a request
 * leaves with a token, or when the first request ends in any way (so a failed sign-in is reported
 * by the first request, and the rest are not stuck).
 *
 * `beforeChallenge` goes at `perCall` (before the SDK's challenge policy), `afterChallenge` at
 * `perRetry` (after it, where each attempt goes out with its Authorization header).
 */
export function challengeGate(): { beforeChallenge: PipelinePolicy; afterChallenge: PipelinePolicy } {
  let state: 'closed' | 'challenging' | 'open' = 'closed'
  let release = (): void => undefined
  const opened = new Promise<void>((resolve) => (release = resolve))
  const open = (): void => {
    state = 'open'
    release()
  }
  return {
    beforeChallenge: {
      name: 'challengeGateBefore',
      async sendRequest(request, next) {
        if (state === 'open') return next(request)
        if (state === 'closed') {
          state = 'challenging'
          try {
            return await next(request)
          } finally {
            open()
          }
        }
        await opened
        return next(request)
      }
    },
    afterChallenge: {
      name: 'challengeGateAfter',
      sendRequest(request, next) {
        if (state !== 'open' && request.headers.has('authorization')) open()
        return next(request)
      }
    }
  }
}
