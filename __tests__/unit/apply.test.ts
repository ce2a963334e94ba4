/**
 * applyPublication (src/publish/apply.ts): what a publication writes, in order, the masks before
 * any output, and the warnings it gives.
 */
import { describe, expect, test } from '@jest/globals'
import type { Outcome } from '../../src/operations/index.js'
import { applyPublication } from '../../src/publish/apply.js'
import { captureStdout, got, ID, isolateEnv, publicationFor, VERSION } from './helpers.js'

isolateEnv() // no GITHUB_OUTPUT: @actions/core falls back to ::set-output:: on stdout
const stdout = captureStdout()

const publish = (outcome: Outcome): void => void applyPublication(publicationFor(outcome))

describe('publish', () => {
  test('get: the value is masked (line by line) before any output is set', () => {
    publish(got('db-password', 'line-1\nline-2'))
    const commands = stdout.commands().map((c) => `${c.command} ${c.properties}`.trim())
    expect(commands).toEqual([
      'add-mask',
      'add-mask',
      'set-output name=value',
      'set-output name=version',
      'set-output name=id',
      'set-output name=db-password'
    ])
    expect(stdout.masks()).toEqual(['line-1', 'line-2'])
  })

  test('set and delete register no masks', () => {
    publish({
      operation: 'set',
      secretName: 'db-password',
      version: VERSION,
      id: ID,
      changed: true,
      expiresOn: '',
      masks: []
    })
    publish({
      operation: 'delete',
      secrets: [{ name: 'db-password', state: 'deleted', recoveryId: 'r', deletedOn: 'd', scheduledPurgeDate: 'p' }],
      missing: []
    })
    expect(stdout.maskLines()).toEqual([])
    expect(stdout.commands().map((c) => c.properties)).toEqual([
      'name=version',
      'name=id',
      'name=changed',
      'name=recovery-id',
      'name=deleted-on',
      'name=scheduled-purge-date'
    ])
  })

  test('set with skip-unchanged: the stored value it read is masked before any output', () => {
    publish({
      operation: 'set',
      secretName: 'db-password',
      version: VERSION,
      id: ID,
      changed: false,
      expiresOn: '',
      masks: ['st0red-value']
    })
    expect(stdout.commands().map((c) => c.command)).toEqual(['add-mask', 'set-output', 'set-output', 'set-output'])
    expect(stdout.masks()).toEqual(['st0red-value'])
  })

  test('get of an ordinary secret warns about nothing', () => {
    publish(got('db-password'))
    expect(stdout.commands().filter((c) => c.command === 'warning')).toEqual([])
  })

  // Whatever the case, a secret that shares a fixed output's name is only in 'value': the user is told so.
  test.each(['VALUE', 'Version', 'version', 'id', 'deleted-on'])(
    "get of a secret named '%s' warns that its value is in the output 'value'",
    (secretName) => {
      publish(got(secretName))
      const warnings = stdout.commands().filter((c) => c.command === 'warning')
      expect(warnings.map((w) => w.data)).toEqual([
        `Secret '${secretName}' has the name of a fixed output; read its value from the output 'value', or give it an alias.`
      ])
    }
  )
})
