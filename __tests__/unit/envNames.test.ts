import { describe, expect, test } from '@jest/globals'
import { envNameFor, refusalOf } from '../../src/envNames.js'

describe('envNameFor', () => {
  test.each([
    ['db-password', 'DB_PASSWORD'],
    ['ApiKey', 'APIKEY'],
    ['a-b-c', 'A_B_C']
  ])('%s -> %s', (secret, name) => {
    expect(envNameFor(secret)).toBe(name)
  })
})

describe('refusalOf', () => {
  test.each(['DB_PASSWORD', 'API_KEY', '_PRIVATE', 'PATHS', 'MY_PATH'])('%s may be exported', (name) => {
    expect(refusalOf(name)).toBeUndefined()
  })

  test.each(['PATH', 'path', 'NODE_OPTIONS', 'BASH_ENV', 'ENV', 'HOME', 'JAVA_TOOL_OPTIONS', 'HTTPS_PROXY'])(
    '%s is refused as changing how later steps run',
    (name) => {
      expect(refusalOf(name)).toMatch(/^it would change how later steps run \(.+\)$/)
    }
  )

  test.each([
    ['LD_PRELOAD', 'LD_'],
    ['DYLD_INSERT_LIBRARIES', 'DYLD_'],
    ['GITHUB_TOKEN', 'GITHUB_'],
    ['RUNNER_TEMP', 'RUNNER_'],
    ['ACTIONS_RUNTIME_TOKEN', 'ACTIONS_'],
    ['GIT_SSH_COMMAND', 'GIT_']
  ])('%s is refused by its prefix %s', (name, prefix) => {
    expect(refusalOf(name)).toContain(`starting with ${prefix}`)
  })

  test.each(['1PASSWORD', 'A-B', ''])('%p is not a valid variable name', (name) => {
    expect(refusalOf(name)).toContain('not a valid variable name')
  })
})
