import { describe, expect, test } from '@jest/globals'
import { ActionError } from '../../src/errors.js'
import { checkEnvBudget, EnvLimits } from '../../src/publish/envBudget.js'

const describeName = (name: string): string => `secret '${name.toLowerCase()}'`
const check = (
  exported: Record<string, string>,
  environment: NodeJS.ProcessEnv = {},
  platform: NodeJS.Platform = 'linux'
) => (() => checkEnvBudget(exported, environment, platform, describeName)) as () => void

describe('exports later processes can start with', () => {
  test('a variable of 128 KiB with its name, = and NUL passes on Linux; one byte more is refused, naming it', () => {
    const name = 'BIG'
    const fits = 'v'.repeat(EnvLimits.variableBytes - name.length - 2)
    expect(check({ [name]: fits })).not.toThrow()
    expect(check({ [name]: `${fits}v` })).toThrow(
      new ActionError(
        `Input 'export-env': secret 'big' would be exported as BIG, longer than a variable can be (128 KiB (Linux)): no later step could start with it. ` +
          `Write the values to files instead ('files', or 'env-file' for all of them in one file), or export fewer secrets. Nothing was exported.`
      )
    )
  })

  test('UTF-8 bytes count on Linux, UTF-16 characters on Windows (32,767 a variable)', () => {
    const name = 'WIDE'
    const euros = '€'.repeat(50_000) // 150,000 bytes, 50,000 characters
    expect(check({ [name]: euros })).toThrow('128 KiB (Linux)')
    expect(check({ [name]: 'v'.repeat(32_767 - name.length - 2) }, {}, 'win32')).not.toThrow()
    expect(check({ [name]: 'v'.repeat(32_767 - name.length - 1) }, {}, 'win32')).toThrow('32,767 characters (Windows)')
  })

  test("the total counts the step's environment, each variable once, with a NUL and a pointer each", () => {
    const value = 'v'.repeat(25 * 1024)
    const many = Object.fromEntries(Array.from({ length: 88 }, (_, index) => [`BIG_${index}`, value]))
    expect(check(many)).toThrow(
      /the 88 variables it would export bring the environment of every later step to 2\d\d\d KiB/
    )
    const fifty = Object.fromEntries(Object.entries(many).slice(0, 50))
    expect(check(fifty)).not.toThrow()
    // The same 50 over an environment that is already large.
    expect(check(fifty, { RUNNER_STUFF: 'x'.repeat(400 * 1024) })).toThrow('the 50 variables')
    // A variable that replaces one of the environment is counted once.
    expect(check(fifty, { BIG_0: 'x'.repeat(400 * 1024) })).not.toThrow()
    expect(check(fifty, {}, 'darwin')).toThrow('768 KiB')
  })
})
