import { describe, expect, test } from '@jest/globals'
import { RestError } from '@azure/core-rest-pipeline'
import { conditionOf, refusalOf, VaultConditions } from '../../src/vault/serviceErrors.js'

/** A RestError as @azure/keyvault-secrets throws it: the body parsed into `details`. */
function refused(status: number, code: string, message: string, inner?: string): RestError {
  const error = new RestError(message, { statusCode: status, code })
  error.details = { error: { code, message, innerError: inner ? { code: inner } : undefined } }
  return error
}

describe('refusalOf', () => {
  test('reads status, code, the inner codes and the message from the parsed body', () => {
    const error = refused(
      403,
      'Forbidden',
      'Caller is not authorized to perform action on resource.',
      'ForbiddenByRbac'
    )
    expect(refusalOf(error)).toEqual({
      status: 403,
      code: 'Forbidden',
      innerCodes: ['ForbiddenByRbac'],
      message: 'Caller is not authorized to perform action on resource.'
    })
  })

  test('follows nested inner errors, a bounded number of them, and ignores codes that are not strings', () => {
    const error = new RestError('x', { statusCode: 403, code: 'Forbidden' })
    let inner: Record<string, unknown> = { code: 42 }
    for (let depth = 0; depth < 20; depth++) inner = { code: `Level${depth}`, innerError: inner }
    error.details = { error: { code: 'Forbidden', innerError: inner } }
    const { innerCodes } = refusalOf(error)
    expect(innerCodes).toEqual(['Level19', 'Level18', 'Level17', 'Level16', 'Level15'])
  })

  test('anything else gives an empty refusal', () => {
    expect(refusalOf('boom')).toEqual({ status: undefined, code: undefined, innerCodes: [], message: '' })
    expect(refusalOf(null).innerCodes).toEqual([])
  })
})

describe('conditionOf', () => {
  test.each(Object.entries(VaultConditions).filter(([, rule]) => 'innerCode' in rule))(
    '%s is recognised by its inner code, whatever the message says',
    (condition, rule) => {
      const innerCode = (rule as { innerCode: string }).innerCode
      expect(conditionOf(refused(rule.status, 'Whatever', 'A message in another language.', innerCode))).toBe(condition)
    }
  )

  test('the inner code wins over a message that reads like another condition', () => {
    // A firewall refusal whose text happens to mention a disabled secret is still the firewall.
    const error = refused(403, 'Forbidden', 'Operation get is not allowed on a disabled secret.', 'ForbiddenByFirewall')
    expect(conditionOf(error)).toBe('forbiddenByFirewall')
  })

  test('an inner code the action does not know is no known condition, even if the message matches one', () => {
    const error = refused(409, 'Conflict', 'Secret x is currently in a deleted but recoverable state.', 'SomethingNew')
    expect(conditionOf(error)).toBeUndefined()
  })

  test('without an inner code the message decides (answers seen without one)', () => {
    expect(
      conditionOf(
        refused(
          403,
          'Forbidden',
          'Operation "purge" is not allowed because purge protection is enabled for this vault.'
        )
      )
    ).toBe('purgeProtected')
    expect(conditionOf(refused(409, 'Conflict', 'Secret is currently being deleted.'))).toBe('beingDeleted')
    expect(
      conditionOf(
        refused(409, 'Conflict', 'Secret a is currently being recovered and cannot be re-created; retry later.')
      )
    ).toBe('beingRecovered')
    expect(conditionOf(refused(409, 'Conflict', 'Secret a has a conflict nobody has seen before.'))).toBeUndefined()
  })

  test('the status must match too', () => {
    expect(conditionOf(refused(400, 'BadParameter', 'x', 'ObjectIsBeingDeleted'))).toBeUndefined()
    expect(conditionOf(new Error('Secret is currently being deleted.'))).toBeUndefined()
  })
})
