import { describe, expect, test } from '@jest/globals'
import { ActionError } from '../../src/errors.js'
import { quote as quoteOf } from '../../src/text.js'
import type { Cloud } from '../../src/clouds.js'
import { readInputs } from '../../src/operations/inputs.js'
import { readMasked } from '../../src/main.js'
import type { SetRequest } from '../../src/inputs/set.js'
import type { SignInSettings } from '../../src/inputs/signIn.js'
import type { Vault } from '../../src/inputs/vault.js'
import type { FileEntry, SecretEntry } from '../../src/inputs/entries.js'
import { CLIENT_ID, TENANT_ID, captureStdout, isolateEnv, setInputs, thrownBy } from './helpers.js'

isolateEnv()
const stdout = captureStdout()

/** The smallest set of inputs that reads successfully. */
const BASE = { 'vault-name': 'contoso-kv', 'secret-name': 'db-password' } as const

/** Sets BASE plus `inputs` and returns what readInputs threw (an ActionError). */
function inputError(inputs: Record<string, string>, env: NodeJS.ProcessEnv = process.env): ActionError {
  setInputs({ ...BASE, ...inputs })
  const error = thrownBy(() => readInputs(env))
  expect(error).toBeInstanceOf(ActionError)
  return error as ActionError
}

/** What readInputs read, every operation's fields side by side, with the sign-in as read (before planning: signIn.test.ts). */
interface Read {
  readonly operation: string
  readonly cloud: Cloud
  readonly vault: Vault
  readonly signIn: SignInSettings
  readonly secretName?: string
  readonly set?: SetRequest
  readonly targets?: readonly SecretEntry[]
  readonly files?: readonly FileEntry[]
  readonly exportEnv?: boolean
  readonly parseJson?: boolean
  readonly ignoreMissing?: boolean
  readonly wait?: boolean
  readonly purge?: boolean
  readonly concurrency: number
  readonly summary: boolean
  readonly timeout: number
  readonly minMaskLength: number
}

function read(inputs: Record<string, string>, env: NodeJS.ProcessEnv = process.env): Read {
  setInputs({ ...BASE, ...inputs })
  return readInputs(env).inputs
}

describe('defaults', () => {
  test('the minimal inputs read as get, auto, AzureCloud and the standard audience', () => {
    const inputs = read({})
    const cloud = {
      name: 'AzureCloud',
      authorityHost: 'https://login.microsoftonline.com',
      vaultDnsSuffix: 'vault.azure.net'
    }
    // The fields named here; a new input's default is checked against action.yml by contract.test.ts.
    expect(inputs).toMatchObject({
      operation: 'get',
      cloud,
      vault: { url: 'https://contoso-kv.vault.azure.net', name: 'contoso-kv', input: 'vault-name' },
      signIn: {
        authType: 'auto',
        clientId: undefined,
        tenantId: undefined,
        clientSecret: undefined,
        audience: 'api://AzureADTokenExchange',
        cloud
      },
      targets: [{ text: 'db-password', name: 'db-password', isGlob: false }],
      files: [],
      exportEnv: false,
      parseJson: false,
      ignoreMissing: false,
      concurrency: 64,
      summary: true,
      timeout: 300,
      minMaskLength: 4
    })
    expect(stdout.text()).toBe('')
  })

  test.each([
    ['empty', ''],
    ['whitespace only', '  ']
  ])('%s enum inputs fall back to their defaults', (_, blank) => {
    const inputs = read({ operation: blank, 'auth-type': blank, environment: blank, audience: blank })
    expect(inputs.operation).toBe('get')
    expect(inputs.signIn.authType).toBe('auto')
    expect(inputs.signIn.cloud.name).toBe('AzureCloud')
    expect(inputs.signIn.audience).toBe('api://AzureADTokenExchange')
  })

  test('a custom audience is kept', () => {
    expect(read({ audience: 'api://contoso-federation' }).signIn.audience).toBe('api://contoso-federation')
  })
})

describe('enum inputs', () => {
  test.each([
    ['operation', 'read', 'get, set, delete, list, recover, purge'],
    ['auth-type', 'password', 'auto, oidc, service-principal, azure-cli, managed-identity'],
    ['auth-type', 'service_principal', 'auto, oidc, service-principal, azure-cli, managed-identity'],
    ['environment', 'AzureGermanCloud', 'AzureCloud, AzureChinaCloud, AzureUSGovernment'],
    ['environment', 'public', 'AzureCloud, AzureChinaCloud, AzureUSGovernment'],
    ['generate-charset', 'ascii', 'alphanumeric, printable, hex, base64url'],
    ['if-deleted', 'ignore', 'fail, recover, purge']
  ])("an unknown %s '%s' is refused, listing the accepted values", (input, value, accepted) => {
    const error = inputError({ [input]: value })
    expect(error.message).toBe(`Input '${input}' has an unknown value '${value}'. Accepted values: ${accepted}.`)
  })

  test.each([
    ['operation', 'GET', 'operation', 'get'],
    ['operation', 'Delete', 'operation', 'delete'],
    ['auth-type', 'OIDC', 'authType', 'oidc'],
    ['auth-type', 'Service-Principal', 'authType', 'service-principal'],
    ['auth-type', 'AZURE-CLI', 'authType', 'azure-cli'],
    ['auth-type', 'Managed-Identity', 'authType', 'managed-identity']
  ])("%s '%s' is matched case-insensitively", (input, value, field, expected) => {
    const inputs = read({ [input]: value })
    const actual = field === 'operation' ? inputs.operation : inputs.signIn.authType
    expect(actual).toBe(expected)
  })

  test("operation 'SET' is matched case-insensitively and reads the value", () => {
    const inputs = read({ operation: 'SET', 'secret-value': 'v' })
    expect(inputs.operation).toBe('set')
    expect(inputs.set?.value).toBe('v')
  })

  test.each([
    ['azurechinacloud', 'AzureChinaCloud', 'https://login.chinacloudapi.cn'],
    ['AZUREUSGOVERNMENT', 'AzureUSGovernment', 'https://login.microsoftonline.us'],
    ['azurecloud', 'AzureCloud', 'https://login.microsoftonline.com']
  ])("environment '%s' is matched case-insensitively as %s", (value, name, authorityHost) => {
    const { cloud } = read({ environment: value }).signIn
    expect(cloud.name).toBe(name)
    expect(cloud.authorityHost).toBe(authorityHost)
  })
})

describe('vault-name and vault-url', () => {
  test.each([
    ['AzureCloud', 'https://contoso-kv.vault.azure.net'],
    ['AzureChinaCloud', 'https://contoso-kv.vault.azure.cn'],
    ['AzureUSGovernment', 'https://contoso-kv.vault.usgovcloudapi.net']
  ])('in %s the vault URL is %s', (environment, url) => {
    expect(read({ environment }).vault).toEqual({ url, name: 'contoso-kv', input: 'vault-name' })
  })

  test('the URL host is lower-cased; the name is kept as given for messages', () => {
    expect(read({ 'vault-name': 'Contoso-KV' }).vault).toEqual({
      url: 'https://contoso-kv.vault.azure.net',
      name: 'Contoso-KV',
      input: 'vault-name'
    })
  })

  test('surrounding whitespace of vault-name is ignored', () => {
    expect(read({ 'vault-name': '  contoso-kv\n' }).vault.url).toBe('https://contoso-kv.vault.azure.net')
  })

  test('neither given: asks for vault-name and mentions vault-url', () => {
    const error = inputError({ 'vault-name': '' })
    expect(error.message).toContain("Input 'vault-name' is required")
    expect(error.message).toContain("'vault-url'")
    expect(error.message).toContain('contoso-kv')
  })

  test('both given: asks for exactly one', () => {
    const error = inputError({ 'vault-url': 'https://contoso-kv.vault.azure.net' })
    expect(error.message).toContain("Inputs 'vault-name' and 'vault-url' were both given")
    expect(error.message).toContain('exactly one')
  })

  test.each([
    ['too short (2 characters)', 'kv'],
    ['too long (25 characters)', 'a'.repeat(25)],
    ['starting with a digit', '1contoso'],
    ['with a double dash', 'contoso--kv'],
    ['ending with a dash', 'contoso-kv-'],
    ['with an underscore', 'contoso_kv'],
    ['that is a full host name', 'contoso-kv.vault.azure.net']
  ])('a vault name %s is refused with the naming rule', (_, name) => {
    const error = inputError({ 'vault-name': name })
    expect(error.message).toBe(
      `Input 'vault-name' has an invalid vault name '${name}'. A vault name is 3-24 characters: letters, digits and dashes, starting with a letter, ending with a letter or digit, no two dashes in a row.`
    )
  })

  test.each(['abc', 'a'.repeat(24), 'contoso-kv-01', 'K1'.repeat(12)])("vault name '%s' is accepted", (name) => {
    expect(read({ 'vault-name': name }).vault.url).toBe(`https://${name.toLowerCase()}.vault.azure.net`)
  })

  test.each([
    ['a plain vault URL', 'https://contoso-kv.vault.azure.net', 'https://contoso-kv.vault.azure.net', 'contoso-kv'],
    ['a trailing slash', 'https://contoso-kv.vault.azure.net/', 'https://contoso-kv.vault.azure.net', 'contoso-kv'],
    ['upper case', 'HTTPS://Contoso-KV.Vault.Azure.Net', 'https://contoso-kv.vault.azure.net', 'contoso-kv'],
    ['a China cloud host', 'https://contoso-kv.vault.azure.cn', 'https://contoso-kv.vault.azure.cn', 'contoso-kv'],
    ['a custom host and port', 'https://kv.corp.example:8443', 'https://kv.corp.example:8443', 'kv.corp.example'],
    ['the default port', 'https://contoso-kv.vault.azure.net:443/', 'https://contoso-kv.vault.azure.net', 'contoso-kv']
  ])('vault-url with %s is used as its origin, named by its vault name or custom host', (_, raw, url, name) => {
    expect(read({ 'vault-name': '', 'vault-url': raw }).vault).toEqual({ url, name, input: 'vault-url' })
  })

  test('vault-url is used as given whatever the environment', () => {
    const inputs = read({
      'vault-name': '',
      'vault-url': 'https://contoso-kv.vault.azure.net',
      environment: 'AzureChinaCloud'
    })
    expect(inputs.vault.url).toBe('https://contoso-kv.vault.azure.net')
    expect(inputs.signIn.cloud.name).toBe('AzureChinaCloud')
  })

  test.each([
    ['http', 'http://contoso-kv.vault.azure.net', 'does not use https'],
    ['no scheme', 'contoso-kv.vault.azure.net', 'is not a URL'],
    ['not a URL at all', 'https://', 'is not a URL'],
    ['a path', 'https://contoso-kv.vault.azure.net/secrets/db-password', 'has a path, query or fragment'],
    ['a query', 'https://contoso-kv.vault.azure.net/?api-version=7.4', 'has a path, query or fragment'],
    ['a fragment', 'https://contoso-kv.vault.azure.net/#top', 'has a path, query or fragment'],
    ['another scheme', 'ftp://contoso-kv.vault.azure.net', 'does not use https']
  ])('vault-url with %s is refused', (_, raw, why) => {
    const error = inputError({ 'vault-name': '', 'vault-url': raw })
    expect(error.message).toBe(
      `Input 'vault-url' is not a usable vault URL: '${raw}' ${why}. Expected https://<vault-host>, e.g. https://contoso-kv.vault.azure.net.`
    )
  })

  test('vault-url with credentials is refused without echoing the password', () => {
    const error = inputError({
      'vault-name': '',
      'vault-url': 'https://deployer:Hunter2-Pa55word@contoso-kv.vault.azure.net'
    })
    expect(error.message).toContain("Input 'vault-url' is not a usable vault URL")
    expect(error.message).toContain('carries credentials')
    expect(error.message).not.toContain('Hunter2-Pa55word')
  })

  test('vault-url with credentials that does not parse is refused without echoing the password', () => {
    const error = inputError({
      'vault-name': '',
      'vault-url': 'https://deployer:Hunter2-Pa55word@contoso kv.vault.azure.net'
    })
    expect(error.message).toContain("Input 'vault-url' is not a usable vault URL: the URL (not shown: it contains @")
    expect(error.message).not.toContain('Hunter2-Pa55word')
  })

  test.each([
    ['a line break', 'https://contoso-kv.vault.\nazure.net'],
    ['a tab', 'https://contoso-kv\t.vault.azure.net'],
    ['a space', 'https://contoso kv.vault.azure.net'],
    ['a control character', 'https://contoso\u0001kv.vault.azure.net']
  ])('vault-url with %s inside is refused, not silently dropped by the URL parser', (_, raw) => {
    const error = inputError({ 'vault-name': '', 'vault-url': raw })
    expect(error.message).toContain("Input 'vault-url' is not a usable vault URL")
    expect(error.message).toContain('contains whitespace or control characters')
  })

  test.each([
    ['a label over 63 characters', `${'k'.repeat(64)}.vault.azure.net`],
    ['a name over 253 characters', `${Array.from({ length: 9 }, () => 'k'.repeat(30)).join('.')}.vault.azure.net`],
    ['an underscore', 'contoso_kv.vault.azure.net']
  ])('vault-url with %s in its host is refused before any DNS lookup', (_, host) => {
    const error = inputError({ 'vault-name': '', 'vault-url': `https://${host}` })
    expect(error.message).toBe(
      `Input 'vault-url' is not a usable vault URL: ${quoteOf(host)} is not a valid host name. Expected https://<vault-host>, e.g. https://contoso-kv.vault.azure.net.`
    )
  })

  test.each([
    'https://10.1.2.3',
    'https://[fd00::1]:8443',
    'https://contoso-kv.vault.azure.net.',
    `https://${'k'.repeat(63)}.example`
  ])('vault-url %s has a usable host', (raw) => {
    expect(read({ 'vault-name': '', 'vault-url': raw }).vault.input).toBe('vault-url')
  })
})

describe('secret-name', () => {
  test('missing: required, with the naming rule', () => {
    const error = inputError({ 'secret-name': '' })
    expect(error.message).toBe(
      "Input 'secret-name' is required (or 'secrets' for several). Give the name of the secret, 1-127 characters: letters, digits and dashes."
    )
  })

  test.each([
    ['128 characters', 'a'.repeat(128), `'${'a'.repeat(77)}...'`],
    ['an underscore', 'db_password', "'db_password'"],
    ['a dot', 'db.password', "'db.password'"],
    ['a slash', 'db/password', "'db/password'"]
  ])('a name with %s is refused, quoting the name', (_, name, quoted) => {
    const error = inputError({ 'secret-name': name })
    expect(error.message).toBe(
      `Input 'secret-name' has an invalid secret name ${quoted}. A secret name is 1-127 characters: letters, digits and dashes.`
    )
  })

  test.each(['a', 'a'.repeat(127), 'DB-Password-2'])("name '%s' is accepted as given", (name) => {
    expect(read({ 'secret-name': name }).targets).toEqual([{ text: name, name, isGlob: false }])
    expect(read({ operation: 'set', 'secret-name': name, 'secret-value': 'v' }).secretName).toBe(name)
  })
})

describe('secret-value', () => {
  test('set without a value is refused', () => {
    const error = inputError({ operation: 'set' })
    expect(error.message).toBe(
      "'operation: set' needs exactly one value source: 'secret-value', 'secret-value-file' or 'generate: true'; none was given."
    )
  })

  test.each([
    ['leading spaces', '   indented'],
    ['a trailing newline', 'value\n'],
    ['CRLF line ends', 'line-1\r\nline-2\r\n'],
    ['tabs and trailing spaces', '\tkey = value  '],
    ['a JSON document', '{\n  "user": "app",\n  "password": "p%w"\n}\n'],
    ['non-ASCII text', 'pässwörd-€']
  ])('a value with %s is kept byte for byte', (_, value) => {
    expect(read({ operation: 'set', 'secret-value': value }).set?.value).toBe(value)
  })

  test('a value of exactly 25 KB (25600 bytes) is accepted', () => {
    const value = 'x'.repeat(25 * 1024)
    expect(read({ operation: 'set', 'secret-value': value }).set?.value).toBe(value)
  })

  test.each([
    ['one byte over 25 KB', 'Q'.repeat(25 * 1024) + 'Z', 25601],
    ['over 25 KB in UTF-8 though under 25600 characters', 'é'.repeat(12801), 25602]
  ])('a value %s is refused with its size, never its content', (_, value, bytes) => {
    const error = inputError({ operation: 'set', 'secret-value': value })
    expect(error.message).toBe(`Input 'secret-value' is ${bytes} bytes long; Key Vault accepts at most 25600 bytes.`)
    expect(error.message).not.toContain(value.slice(0, 16))
  })

  test.each(['get', 'delete'])('a value with operation %s is refused without echoing it', (operation) => {
    const error = inputError({ operation, 'secret-value': 'Leaky-Value-42' })
    expect(error.message).toBe(
      `Input 'secret-value' is only used with 'operation: set', not '${operation}'. Remove it.`
    )
    expect(error.message).not.toContain('Leaky-Value-42')
  })

  test('get leaves set undefined', () => {
    expect(read({ operation: 'get' }).set).toBeUndefined()
  })
})

describe('sign-in settings', () => {
  const CREDS_SECRET = 'Cr3ds~S3cret.Value'
  const creds = (fields: Record<string, unknown>): string => JSON.stringify(fields)

  test('client-id, tenant-id and client-secret inputs are read', () => {
    const { signIn } = read({ 'client-id': CLIENT_ID, 'tenant-id': TENANT_ID, 'client-secret': 'sp-secret' })
    expect(signIn).toMatchObject({ clientId: CLIENT_ID, tenantId: TENANT_ID, clientSecret: 'sp-secret' })
  })

  test.each([
    ['a GUID', TENANT_ID],
    ['a domain', 'contoso.onmicrosoft.com']
  ])('tenant-id as %s is accepted', (_, tenant) => {
    expect(read({ 'tenant-id': tenant }).signIn.tenantId).toBe(tenant)
  })

  test.each([
    ['client-id', { 'client-id': 'my-app' }, "Input 'client-id' has an invalid client ID 'my-app'"],
    ['client-id', { 'client-id': `{${CLIENT_ID}}` }, `Input 'client-id' has an invalid client ID '{${CLIENT_ID}}'`],
    ['tenant-id', { 'tenant-id': 'contoso' }, "Input 'tenant-id' has an invalid tenant ID 'contoso'"],
    [
      'tenant-id',
      { 'tenant-id': 'https://login.microsoftonline.com/contoso.com' },
      "Input 'tenant-id' has an invalid tenant ID"
    ]
  ])('an invalid %s is refused, naming the input', (_, inputs, message) => {
    expect(inputError(inputs).message).toContain(message)
  })

  test('the client-id error says a GUID is expected', () => {
    expect(inputError({ 'client-id': 'my-app' }).message).toContain(
      'a GUID such as 00000000-0000-0000-0000-000000000000'
    )
  })

  test('the tenant-id error says a GUID or a domain is expected', () => {
    expect(inputError({ 'tenant-id': 'contoso' }).message).toContain(
      'a GUID, or a tenant domain such as contoso.onmicrosoft.com'
    )
  })

  describe('AZURE_* fallbacks', () => {
    test('AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_CLIENT_SECRET are used when the inputs are empty', () => {
      const env = { AZURE_CLIENT_ID: CLIENT_ID, AZURE_TENANT_ID: TENANT_ID, AZURE_CLIENT_SECRET: 'env-secret' }
      expect(read({}, env).signIn).toMatchObject({
        clientId: CLIENT_ID,
        tenantId: TENANT_ID,
        clientSecret: 'env-secret'
      })
    })

    test('the inputs win over AZURE_*', () => {
      const env = {
        AZURE_CLIENT_ID: '99999999-9999-9999-9999-999999999999',
        AZURE_TENANT_ID: 'fabrikam.onmicrosoft.com',
        AZURE_CLIENT_SECRET: 'env-secret'
      }
      const { signIn } = read({ 'client-id': CLIENT_ID, 'tenant-id': TENANT_ID, 'client-secret': 'input-secret' }, env)
      expect(signIn).toMatchObject({ clientId: CLIENT_ID, tenantId: TENANT_ID, clientSecret: 'input-secret' })
    })

    test('AZURE_CLIENT_SECRET is trimmed; an empty or blank one counts as absent', () => {
      expect(read({}, { AZURE_CLIENT_SECRET: '  env-secret\n' }).signIn.clientSecret).toBe('env-secret')
      expect(read({}, { AZURE_CLIENT_SECRET: '' }).signIn.clientSecret).toBeUndefined()
      expect(read({}, { AZURE_CLIENT_SECRET: ' \n' }).signIn.clientSecret).toBeUndefined()
    })

    // Inputs, creds fields and AZURE_CLIENT_SECRET are all trimmed; a secret pasted with a trailing
    // newline must not make AZURE_CLIENT_ID or AZURE_TENANT_ID invalid either.
    test('AZURE_CLIENT_ID and AZURE_TENANT_ID are trimmed like every other source', () => {
      const { signIn } = read({}, { AZURE_CLIENT_ID: `${CLIENT_ID}\n`, AZURE_TENANT_ID: ' contoso.onmicrosoft.com ' })
      expect(signIn.clientId).toBe(CLIENT_ID)
      expect(signIn.tenantId).toBe('contoso.onmicrosoft.com')
    })

    test('empty AZURE_CLIENT_ID and AZURE_TENANT_ID count as absent', () => {
      const { signIn } = read({}, { AZURE_CLIENT_ID: '', AZURE_TENANT_ID: '' })
      expect(signIn.clientId).toBeUndefined()
      expect(signIn.tenantId).toBeUndefined()
    })

    test.each([
      [
        'AZURE_CLIENT_ID',
        { AZURE_CLIENT_ID: 'not-a-guid' },
        "Environment variable AZURE_CLIENT_ID has an invalid client ID 'not-a-guid'"
      ],
      [
        'AZURE_TENANT_ID',
        { AZURE_TENANT_ID: 'contoso' },
        "Environment variable AZURE_TENANT_ID has an invalid tenant ID 'contoso'"
      ]
    ])('an invalid %s is refused, naming the variable', (_, env, message) => {
      expect(inputError({}, env).message).toContain(message)
    })
  })

  describe('creds', () => {
    test('clientId, clientSecret and tenantId are read (trimmed); subscriptionId is ignored', () => {
      const json = creds({
        clientId: ` ${CLIENT_ID} `,
        clientSecret: CREDS_SECRET,
        tenantId: TENANT_ID,
        subscriptionId: 'sub'
      })
      const { signIn } = read({ creds: json })
      expect(signIn).toMatchObject({ clientId: CLIENT_ID, tenantId: TENANT_ID, clientSecret: CREDS_SECRET })
      expect(signIn).not.toHaveProperty('subscriptionId')
    })

    test('creds without clientSecret (for OIDC) are accepted', () => {
      const { signIn } = read({ creds: creds({ clientId: CLIENT_ID, tenantId: TENANT_ID, clientSecret: '' }) })
      expect(signIn).toMatchObject({ clientId: CLIENT_ID, tenantId: TENANT_ID, clientSecret: undefined })
    })

    test('creds win over AZURE_CLIENT_ID and AZURE_TENANT_ID', () => {
      const env = { AZURE_CLIENT_ID: '99999999-9999-9999-9999-999999999999', AZURE_TENANT_ID: 'fabrikam.com' }
      const { signIn } = read(
        { creds: creds({ clientId: CLIENT_ID, tenantId: TENANT_ID, clientSecret: CREDS_SECRET }) },
        env
      )
      expect(signIn).toMatchObject({ clientId: CLIENT_ID, tenantId: TENANT_ID })
    })

    test.each([
      ['that are not JSON', `{clientId: ${CLIENT_ID}, clientSecret: ${CREDS_SECRET}`, 'it is not valid JSON'],
      ['that are a JSON array', `["${CLIENT_ID}", "${CREDS_SECRET}", "${TENANT_ID}"]`, 'it is not a JSON object'],
      ['that are a JSON string', `"${CREDS_SECRET}"`, 'it is not a JSON object'],
      ['that are JSON null', 'null', 'it is not a JSON object'],
      [
        'with a number clientId',
        creds({ clientId: 42, clientSecret: CREDS_SECRET, tenantId: TENANT_ID }),
        "field 'clientId' is not a string"
      ],
      [
        'with an object tenantId',
        creds({ clientId: CLIENT_ID, clientSecret: CREDS_SECRET, tenantId: { id: 1 } }),
        "field 'tenantId' is not a string"
      ],
      [
        'with a boolean clientSecret',
        creds({ clientId: CLIENT_ID, clientSecret: true, tenantId: TENANT_ID }),
        "field 'clientSecret' is not a string"
      ],
      [
        'without clientId',
        creds({ clientSecret: CREDS_SECRET, tenantId: TENANT_ID }),
        "fields 'clientId' and 'tenantId' are required"
      ],
      [
        'without tenantId',
        creds({ clientId: CLIENT_ID, clientSecret: CREDS_SECRET }),
        "fields 'clientId' and 'tenantId' are required"
      ],
      [
        'with a blank clientId',
        creds({ clientId: '   ', clientSecret: CREDS_SECRET, tenantId: TENANT_ID }),
        "fields 'clientId' and 'tenantId' are required"
      ]
    ])('creds %s are refused without echoing them', (_, json, why) => {
      const error = inputError({ creds: json })
      expect(error.message).toContain(`Input 'creds' is malformed: ${why}.`)
      expect(error.message).toContain('az ad sp create-for-rbac --json-auth')
      expect(error.message).not.toContain(CREDS_SECRET)
      expect(error.message).not.toContain(CLIENT_ID)
      expect(error.message).not.toContain(json)
    })

    test.each([
      ['client-id', { 'client-id': CLIENT_ID }],
      ['tenant-id', { 'tenant-id': TENANT_ID }],
      ['client-secret', { 'client-secret': 'sp-secret' }]
    ])('creds together with %s are refused', (_, inputs) => {
      const json = creds({ clientId: CLIENT_ID, clientSecret: CREDS_SECRET, tenantId: TENANT_ID })
      const error = inputError({ creds: json, ...inputs })
      expect(error.message).toBe(
        "Input 'creds' was given together with 'client-id', 'tenant-id' or 'client-secret'. Use either creds or the separate inputs."
      )
    })

    test('an invalid clientId in creds is blamed on creds', () => {
      const error = inputError({
        creds: creds({ clientId: 'my-app', clientSecret: CREDS_SECRET, tenantId: TENANT_ID })
      })
      expect(error.message).toContain("'creds' has an invalid client ID 'my-app'")
      expect(error.message).not.toContain(CREDS_SECRET)
    })

    test('an invalid tenantId in creds is blamed on creds', () => {
      const error = inputError({
        creds: creds({ clientId: CLIENT_ID, clientSecret: CREDS_SECRET, tenantId: 'contoso' })
      })
      expect(error.message).toContain("'creds' has an invalid tenant ID 'contoso'")
    })
  })
})

const maskThenRead = (env: NodeJS.ProcessEnv): unknown => readMasked(env)

describe('masking of sensitive inputs (the run masks them first, then reads)', () => {
  test('client-secret, creds, secret-value and AZURE_CLIENT_SECRET are all registered', () => {
    const json = JSON.stringify({ clientId: CLIENT_ID, clientSecret: 'creds-secret', tenantId: TENANT_ID })
    setInputs({ ...BASE, operation: 'set', 'secret-value': 'the-value', creds: json })
    maskThenRead({ AZURE_CLIENT_SECRET: 'env-secret' })
    const masks = stdout.masks()
    expect(masks).toEqual(expect.arrayContaining(['the-value', json, 'creds-secret', 'env-secret']))
  })

  test('client-secret input is registered', () => {
    setInputs({ ...BASE, 'client-id': CLIENT_ID, 'tenant-id': TENANT_ID, 'client-secret': 'sp-secret' })
    maskThenRead({})
    expect(stdout.masks()).toContain('sp-secret')
  })

  test('the clientSecret field of creds is registered on its own (the runner does not mask JSON fields)', () => {
    setInputs({
      ...BASE,
      creds: JSON.stringify({ clientId: CLIENT_ID, clientSecret: ' padded-secret ', tenantId: TENANT_ID })
    })
    maskThenRead({})
    expect(stdout.masks()).toContain('padded-secret')
  })

  test('each line of a multi-line secret-value is registered, trimmed, and not the whole value (the runner would register its short lines too)', () => {
    const value = '-----BEGIN KEY-----\r\n  AbCdEf012345  \r\n-----END KEY-----\n'
    setInputs({ ...BASE, operation: 'set', 'secret-value': value })
    maskThenRead({})
    expect(stdout.maskLines()).toEqual(['-----BEGIN KEY-----', 'AbCdEf012345', '-----END KEY-----'])
  })

  test('an AZURE_CLIENT_SECRET with surrounding whitespace is registered trimmed (its line break makes it two lines)', () => {
    setInputs(BASE)
    maskThenRead({ AZURE_CLIENT_SECRET: ' env-secret\n' })
    expect(stdout.masks()).toEqual(['env-secret'])
  })

  test('nothing is registered when no sensitive input is given', () => {
    setInputs({ ...BASE, 'client-id': CLIENT_ID, 'tenant-id': TENANT_ID })
    maskThenRead({})
    expect(stdout.maskLines()).toEqual([])
  })

  // Every secret is registered before validation starts, so even the first possible error is safe.
  const SECRETS = {
    'client-secret': 'Sp-Secret-0001',
    'secret-value': 'Value-Line-1\nValue-Line-2'
  }
  test.each([
    ['an unknown operation', { operation: 'bogus' }, "Input 'operation' has an unknown value"],
    ['an unknown environment', { environment: 'Mars' }, "Input 'environment' has an unknown value"],
    ['a missing vault name', { 'vault-name': '' }, "Input 'vault-name' is required"],
    ['an invalid secret name', { 'secret-name': 'a_b' }, "Input 'secret-name' has an invalid secret name"],
    ['secret-value with get', { operation: 'get' }, "Input 'secret-value' is only used with 'operation: set'"],
    [
      'creds together with client-secret',
      { creds: JSON.stringify({ clientId: CLIENT_ID, tenantId: TENANT_ID }) },
      "Input 'creds' was given together with"
    ],
    ['an invalid client-id', { 'client-id': 'nope' }, "Input 'client-id' has an invalid client ID"]
  ])('secrets are registered before the error for %s, and the error does not contain them', (_, failing, expected) => {
    const env = { AZURE_CLIENT_SECRET: 'Env-Secret-0002' }
    setInputs({ ...BASE, ...SECRETS, operation: 'set', ...failing })
    const error = thrownBy(() => maskThenRead(env))
    expect(error.message).toContain(expected)
    const masks = stdout.masks()
    expect(masks).toEqual(expect.arrayContaining(['Sp-Secret-0001', 'Value-Line-1', 'Value-Line-2', 'Env-Secret-0002']))
    for (const secret of [...masks]) expect(error.message).not.toContain(secret)
  })

  test('malformed creds are registered before they are refused', () => {
    const json = '{"clientId": "x", "clientSecret": "Creds-Secret-0003"'
    setInputs({ ...BASE, creds: json })
    const error = thrownBy(() => maskThenRead({}))
    expect(error.message).toContain("Input 'creds' is malformed")
    expect(stdout.masks()).toContain(json)
    expect(error.message).not.toContain('Creds-Secret-0003')
  })

  test('an unknown operation with a client secret prints the add-mask line before anything else', () => {
    setInputs({ ...BASE, operation: 'bogus', 'client-secret': 'Sp-Secret-0004' })
    const error = thrownBy(() => maskThenRead({}))
    expect(error.message).toContain("Input 'operation' has an unknown value 'bogus'")
    expect(stdout.text().split('\n')[0]).toBe('::add-mask::Sp-Secret-0004')
  })
})

describe('timeout', () => {
  test('defaults to 300 seconds and takes whole seconds from 1 to 3600', () => {
    expect(read({}).timeout).toBe(300)
    expect(read({ timeout: '1' }).timeout).toBe(1)
    expect(read({ timeout: '3600' }).timeout).toBe(3600)
  })

  test.each(['0', '3601', '2.5', '-5', '5m', 'soon'])('%p is refused, naming the accepted range', (value) => {
    expect(inputError({ timeout: value }).message).toBe(
      `Input 'timeout' has an invalid value '${value}'. Accepted: a whole number from 1 to 3600.`
    )
  })
})
