import { describe, expect, test } from '@jest/globals'
import { RestError } from '@azure/core-rest-pipeline'
import {
  AggregateAuthenticationError,
  AuthenticationError,
  AuthenticationRequiredError,
  CredentialUnavailableError
} from '@azure/identity'
import type { FederatedClaims, MethodPlan, SignIn, SignInMethod } from '../../src/auth/index.js'
import { MissingIdTokenPermission } from '../../src/inputs/signIn.js'
import { Clouds, type Cloud } from '../../src/clouds.js'
import type { Operation } from '../../src/constants.js'
import { ActionError } from '../../src/errors.js'
import { SecretFailure } from '../../src/vault/secretFailure.js'
import { explainFailure, type FailureContext } from '../../src/failures/index.js'
import { readInputs } from '../../src/operations/inputs.js'
import type { ActionInputs } from '../../src/operations/index.js'
import { VaultHostNotFoundError, type Resilience } from '../../src/vault/client.js'
import { ProxyRefusedError, type ProxyInUse } from '../../src/vault/proxy.js'
import { Deadline, RunTimedOut } from '../../src/vault/deadline.js'
import { StillInTransition } from '../../src/vault/transitions.js'
import { VaultHealth } from '../../src/vault/health.js'
import { Throttle } from '../../src/vault/throttle.js'
import { CLIENT_ID, isolateEnv, setInputs, TENANT_ID } from './helpers.js'

isolateEnv()

const AzureCloud = Clouds['AzureCloud'] as Cloud
const AzureChinaCloud = Clouds['AzureChinaCloud'] as Cloud

/** The inputs of a step of `operation` on vault contoso-kv, read as the run reads them (never written out here). */
function inputsFor(operation: Operation, cloud: Cloud = AzureCloud): ActionInputs {
  for (const name of Object.keys(process.env)) if (name.startsWith('INPUT_')) delete process.env[name]
  setInputs({
    'vault-name': 'contoso-kv',
    operation,
    environment: cloud.name,
    'client-id': CLIENT_ID,
    'tenant-id': TENANT_ID,
    concurrency: '32',
    ...(operation === 'list' ? {} : { 'secret-name': 'db-password' }),
    ...(operation === 'set' ? { 'secret-value': 'never-shown' } : {})
  })
  return readInputs({}).inputs
}

/** The plan of one method, with the test's ids (an empty client ID: none). */
function attemptOf(method: SignInMethod, clientId: string): MethodPlan {
  switch (method) {
    case 'oidc':
      return { method, clientId, tenantId: TENANT_ID, audience: 'api://AzureADTokenExchange', cloud: AzureCloud }
    case 'service-principal':
      return { method, clientId, tenantId: TENANT_ID, clientSecret: 'never-shown', cloud: AzureCloud }
    case 'azure-cli':
      return { method, tenantId: TENANT_ID, cloud: AzureCloud }
    case 'managed-identity':
      return { method, clientId: clientId || undefined, cloud: AzureCloud }
  }
}

/** A SignIn as createSignIn builds it, without any credential behind it. */
function signInFor(
  methods: [SignInMethod, ...SignInMethod[]],
  options: { claims?: FederatedClaims; passedOver?: string[]; clientId?: string } = {}
): SignIn {
  const clientId = options.clientId ?? CLIENT_ID
  const [first, ...rest] = methods
  return {
    plan: {
      attempts: [attemptOf(first, clientId), ...rest.map((method) => attemptOf(method, clientId))],
      passedOver: options.passedOver ?? []
    },
    credential: { getToken: async () => null },
    federatedClaims: () => options.claims,
    startEarly: () => undefined
  }
}

function context(operation: Operation = 'get', methods: [SignInMethod, ...SignInMethod[]] = ['oidc']): FailureContext {
  return { inputs: inputsFor(operation), signIn: signInFor(methods) }
}

/** What the run's retries left behind: a request that gave up (when given), after the throttle came down to 1. */
function resilienceAfter(gaveUp: VaultHealth['gaveUp']): Resilience {
  const health = new VaultHealth()
  health.gaveUp = gaveUp
  const throttle = new Throttle(32)
  for (let i = 0; i < 6; i++) throttle.throttled({ sentAt: Number.MAX_SAFE_INTEGER }, 0)
  const deadline = new Deadline(300)
  deadline.dispose()
  return { health, throttle, deadline }
}

/** An Entra ID token error as @azure/identity builds it from the response body. */
function entraError(code: number, description: string, error = 'invalid_client', status = 401): AuthenticationError {
  return new AuthenticationError(status, {
    error,
    error_description: `AADSTS${code}: ${description}\r\nTrace ID: 0f0e0d0c-0000-0000-0000-000000000000\r\nCorrelation ID: 1a1b1c1d-0000-0000-0000-000000000000\r\nTimestamp: 2026-11-29 06:00:00Z`,
    error_codes: [code]
  })
}

/** A Key Vault error as the SDK throws it: RestError with the body's error.code and message (and, when given, its parsed body). */
function vaultError(statusCode: number, code: string, message: string, innerCode?: string): RestError {
  const error = new RestError(message, { statusCode, code })
  if (innerCode) error.details = { error: { code, message, innerError: { code: innerCode } } }
  return error
}

describe('errors the action raised itself', () => {
  test('an ActionError is passed through unchanged', () => {
    const message = "Input 'vault-name' is required (or 'vault-url' for the vault's URL)."
    expect(explainFailure(new ActionError(message), context())).toBe(message)
  })
})

describe('Microsoft Entra ID errors', () => {
  test('AADSTS7000215 (wrong client secret) names the app and says to use the Value, not the Secret ID', () => {
    const error = entraError(
      7000215,
      "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '11111111-2222-3333-4444-555555555555'."
    )
    const message = explainFailure(error, context('get', ['service-principal']))
    expect(message).toContain(`client secret of app '${CLIENT_ID}'`)
    expect(message).toContain('(AADSTS7000215)')
    expect(message).toContain("'client-secret' (or 'creds')")
    expect(message).toContain("secret's Value, not its Secret ID")
    // Expiry has a code of its own (AADSTS7000222), with its own advice.
    expect(message).not.toContain('has not expired')
  })

  test('AADSTS700016 (app not in tenant) names app, tenant and the inputs to check', () => {
    const error = entraError(
      700016,
      `Application with identifier '${CLIENT_ID}' was not found in the directory '${TENANT_ID}'.`,
      'unauthorized_client',
      400
    )
    const message = explainFailure(error, context())
    expect(message).toBe(
      `Application '${CLIENT_ID}' was not found in tenant '${TENANT_ID}' (AADSTS700016). Check 'client-id' and 'tenant-id', and that 'environment' names the app's cloud.`
    )
  })

  test('AADSTS90002 (tenant not found) names the tenant and the inputs to check', () => {
    const error = entraError(
      90002,
      `Tenant '${TENANT_ID}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
      'invalid_request',
      400
    )
    const message = explainFailure(error, context())
    expect(message).toBe(
      `Tenant '${TENANT_ID}' was not found (AADSTS90002). Check 'tenant-id' and that 'environment' names the tenant's cloud.`
    )
  })

  describe('no matching federated credential', () => {
    const claims: FederatedClaims = {
      issuer: 'https://token.actions.githubusercontent.com',
      subject: 'repo:contoso/app:ref:refs/heads/feature/x',
      audience: 'api://AzureADTokenExchange'
    }
    const description =
      "No matching federated identity record found for presented assertion. Assertion Issuer: 'https://token.actions.githubusercontent.com'. Assertion Subject: 'repo:contoso/app:ref:refs/heads/feature/x'. Assertion Audience: 'api://AzureADTokenExchange'."

    test.each([70021, 700213, 7002138])(
      'AADSTS%s shows the issuer, subject and audience of the presented token',
      (code) => {
        const ctx = { inputs: inputsFor('get'), signIn: signInFor(['oidc'], { claims }) }
        const message = explainFailure(entraError(code, description), ctx)
        expect(message).toContain(
          `No federated credential of app '${CLIENT_ID}' matches this workflow's OIDC token (AADSTS${code})`
        )
        expect(message).toContain(
          "The token presented: issuer 'https://token.actions.githubusercontent.com', subject 'repo:contoso/app:ref:refs/heads/feature/x', audience 'api://AzureADTokenExchange'."
        )
        expect(message).toContain(
          'Add a federated credential to the app with exactly these values (the subject is case-sensitive)'
        )
        expect(message).toContain(`Service said: AADSTS${code}: No matching federated identity record found`)
        // Only the first line of the service message: no trace or correlation IDs.
        expect(message).not.toContain('Trace ID')
      }
    )

    test('without the claims (token never decoded) it points at the service message', () => {
      const message = explainFailure(entraError(70021, description), context())
      expect(message).toContain('The token presented: see what the service said')
      expect(message).toContain("Assertion Subject: 'repo:contoso/app:ref:refs/heads/feature/x'")
    })
  })

  test('AADSTS700024 (assertion outside its validity window) says to re-run and check the clock', () => {
    const error = entraError(
      700024,
      'Client assertion is not within its valid time range. Current time: 2026-11-29T06:00:00Z, assertion valid from 2026-11-29T04:00:00Z, expiry time of assertion 2026-11-29T05:00:00Z.'
    )
    const message = explainFailure(error, context())
    expect(message).toBe(
      "The GitHub OIDC token was outside its validity window (AADSTS700024). Re-run the job; if it recurs, check the runner's clock."
    )
  })

  test('an unknown AADSTS code names app and tenant and quotes the first line of the service message', () => {
    const error = entraError(
      50079,
      'Due to a configuration change made by your administrator, you must use multi-factor authentication.',
      'invalid_grant',
      400
    )
    const message = explainFailure(error, context())
    expect(message).toBe(
      `Microsoft Entra ID refused the sign-in of app '${CLIENT_ID}' in tenant '${TENANT_ID}': AADSTS50079: Due to a configuration change made by your administrator, you must use multi-factor authentication.`
    )
  })

  test('an AADSTS code in a plain error message (as MSAL surfaces it) is explained the same way', () => {
    const error = new Error(
      'invalid_client: Error(s): 7000215 - Timestamp: 2026-11-29 - Description: AADSTS7000215: Invalid client secret provided.\nTrace ID: x'
    )
    expect(explainFailure(error, context('get', ['service-principal']))).toContain(
      `client secret of app '${CLIENT_ID}' (AADSTS7000215)`
    )
  })

  test('AADSTS7000222 (expired client secret) gets its own advice: a new secret, or OIDC', () => {
    const error = entraError(
      7000222,
      `The provided client secret keys for app '${CLIENT_ID}' are expired. Visit the Azure portal to create new keys for your app.`
    )
    const message = explainFailure(error, context('get', ['service-principal']))
    expect(message).toBe(
      `The client secret of app '${CLIENT_ID}' has expired (AADSTS7000222). Create a new one (az ad app credential reset --id ${CLIENT_ID} --append --years 1), ` +
        `store it where 'client-secret' (or 'creds') comes from, and consider OIDC sign-in, which needs no secret.`
    )
  })

  test('AADSTS700211 (no federated credential for the issuer) names the issuer the token carried and the issuers GitHub uses', () => {
    const claims: FederatedClaims = {
      issuer: 'https://token.actions.githubusercontent.com/octo-enterprise',
      subject: 'repo:contoso/app:ref:refs/heads/main',
      audience: 'api://AzureADTokenExchange'
    }
    const ctx = { inputs: inputsFor('get'), signIn: signInFor(['oidc'], { claims }) }
    const error = entraError(
      700211,
      "No matching federated identity record found for presented assertion issuer 'https://token.actions.githubusercontent.com/octo-enterprise'.",
      'invalid_request',
      400
    )
    const message = explainFailure(error, ctx)
    expect(message).toContain(
      `No federated credential of app '${CLIENT_ID}' trusts the issuer of this workflow's OIDC token (AADSTS700211): the token's issuer is 'https://token.actions.githubusercontent.com/octo-enterprise'.`
    )
    expect(message).toContain('github.com: https://token.actions.githubusercontent.com')
    expect(message).toContain(
      "Service said: AADSTS700211: No matching federated identity record found for presented assertion issuer 'https://token.actions.githubusercontent.com/octo-enterprise'."
    )
    expect(message).not.toContain('Trace ID')
  })

  test("the AADSTS number is read from the parsed answer (MSAL's errorNo) before the message text", () => {
    // The message names another code than the answer: the answer wins.
    const serverError = Object.assign(new Error('AADSTS50000: something else'), {
      name: 'ServerError',
      errorNo: '7000222',
      errorCode: 'invalid_client',
      errorMessage: 'AADSTS7000222: The provided client secret keys for app are expired.'
    })
    const error = new AuthenticationRequiredError({
      scopes: ['https://vault.azure.net/.default'],
      message: serverError.message,
      cause: serverError
    })
    expect(explainFailure(error, context('get', ['service-principal']))).toContain('has expired (AADSTS7000222)')
  })

  test('what the service said stops before the trace details, whether Entra separates them by CRLF or by a space', () => {
    const spaced = new Error(
      'invalid_client: Error(s): 50126 - Description: AADSTS50126: Error validating credentials. Trace ID: 1 Correlation ID: 2 Timestamp: 3'
    )
    expect(explainFailure(spaced, context())).toBe(
      `Microsoft Entra ID refused the sign-in of app '${CLIENT_ID}' in tenant '${TENANT_ID}': AADSTS50126: Error validating credentials.`
    )
    const crlf = entraError(50126, 'Error validating credentials.', 'invalid_grant', 400)
    expect(explainFailure(crlf, context())).toBe(
      `Microsoft Entra ID refused the sign-in of app '${CLIENT_ID}' in tenant '${TENANT_ID}': AADSTS50126: Error validating credentials.`
    )
  })

  test('without a sign-in context the app and tenant are marked unknown', () => {
    const message = explainFailure(entraError(700016, 'Application not found.'))
    expect(message).toContain("Application '(unknown)' was not found in tenant '(unknown)'")
  })
})

describe('no credential could sign in (auth-type: auto)', () => {
  const passedOver = [
    "service principal: no 'client-secret', 'creds' or AZURE_CLIENT_SECRET",
    "OIDC: needs 'client-id' and 'tenant-id'"
  ]
  const aggregate = (): AggregateAuthenticationError =>
    new AggregateAuthenticationError(
      [
        new CredentialUnavailableError(
          "Azure CLI could not be found. Please visit https://aka.ms/azure-cli for installation instructions and then, once installed, authenticate to your Azure account using 'az login'."
        ),
        new CredentialUnavailableError(
          'ManagedIdentityCredential: Authentication failed. Message Attempted to use the IMDS endpoint, but it is not available.\nDetails follow'
        )
      ],
      'ChainedTokenCredential authentication failed.'
    )

  test('lists what was passed over and why each tried method failed, then the keyless next step', () => {
    const signIn = signInFor(['azure-cli', 'managed-identity'], { passedOver })
    const message = explainFailure(aggregate(), { inputs: inputsFor('get'), signIn })
    expect(message).toBe(
      [
        "No way to sign in to Azure was found ('auth-type: auto'). Tried:",
        `- ${passedOver[0]}`,
        `- ${passedOver[1]}`,
        "- Azure CLI: Azure CLI could not be found. Please visit https://aka.ms/azure-cli for installation instructions and then, once installed, authenticate to your Azure account using 'az login'.",
        '- managed identity: ManagedIdentityCredential: Authentication failed. Message Attempted to use the IMDS endpoint, but it is not available.',
        "For keyless sign-in, give 'client-id' and 'tenant-id' and grant 'permissions: id-token: write'."
      ].join('\n')
    )
  })

  test('without a sign-in context the methods are numbered', () => {
    const message = explainFailure(aggregate())
    expect(message).toContain('- method 1: Azure CLI could not be found.')
    expect(message).toContain('- method 2: ManagedIdentityCredential: Authentication failed.')
  })
})

describe('CredentialUnavailableError', () => {
  const error = new CredentialUnavailableError(
    "Please run 'az login' from a command prompt to authenticate before using this credential.\nmore"
  )

  test.each([
    ['azure-cli', 'Sign-in with Azure CLI is not available'],
    ['managed-identity', 'Sign-in with managed identity is not available'],
    ['service-principal', 'Sign-in with service principal is not available']
  ] as const)('with auth-type %s names the method', (method, start) => {
    expect(explainFailure(error, context('get', [method]))).toBe(
      `${start}: Please run 'az login' from a command prompt to authenticate before using this credential.`
    )
  })

  test('with several methods, or no context, names none', () => {
    expect(explainFailure(error, context('get', ['azure-cli', 'managed-identity']))).toMatch(
      /^Sign-in is not available: Please run 'az login'/
    )
    expect(explainFailure(error)).toMatch(/^Sign-in is not available: /)
  })
})

describe('GitHub ID token failures', () => {
  test.each([
    ['as @actions/core throws it', new Error('Error message: Unable to get ACTIONS_ID_TOKEN_REQUEST_URL env variable')],
    [
      'wrapped by @azure/identity (MSAL turns a failing getAssertion into AuthenticationRequiredError)',
      new AuthenticationRequiredError({
        scopes: ['https://vault.azure.net/.default'],
        message: 'Error message: Unable to get ACTIONS_ID_TOKEN_REQUEST_URL env variable'
      })
    ]
  ])('a missing ACTIONS_ID_TOKEN_REQUEST_URL (%s) asks for id-token: write', (_, error) => {
    const message = explainFailure(error, context())
    expect(message).toBe(MissingIdTokenPermission)
    expect(message).toContain("'permissions: id-token: write'")
  })

  test('a failed ID token request quotes its first line and asks for id-token: write', () => {
    const error = new Error(
      'Error message: Failed to get ID Token. \n \n        Error Code : 500\n \n        Error Message: boom'
    )
    const message = explainFailure(error, context())
    expect(message).toMatch(/^Could not get a GitHub OIDC token: Error message: Failed to get ID Token\./)
    expect(message).toContain("Check that the job has 'permissions: id-token: write'.")
    expect(message).not.toContain('Error Code')
  })

  test('a missing ACTIONS_ID_TOKEN_REQUEST_TOKEN is an ID token failure too', () => {
    const error = new Error('Error message: Unable to get ACTIONS_ID_TOKEN_REQUEST_TOKEN env variable')
    expect(explainFailure(error, context())).toContain(
      'Could not get a GitHub OIDC token: Error message: Unable to get ACTIONS_ID_TOKEN_REQUEST_TOKEN env variable'
    )
  })
})

describe('Key Vault errors', () => {
  test('401 says the token was not accepted and names tenant-id and environment', () => {
    const error = vaultError(
      401,
      'Unauthorized',
      'AKV10032: Invalid issuer. Expected one of https://sts.windows.net/x/, found https://sts.windows.net/y/.'
    )
    expect(explainFailure(error, context())).toBe(
      "Key Vault 'contoso-kv' did not accept the access token (401). Check that 'tenant-id' is the vault's tenant and 'environment' its cloud. Key Vault said: AKV10032: Invalid issuer. Expected one of https://sts.windows.net/x/, found https://sts.windows.net/y/."
    )
  })

  describe('403 Forbidden', () => {
    const OID = '22222222-0000-0000-0000-000000000000'
    const accessPolicy = (operation: Operation): RestError =>
      vaultError(
        403,
        'Forbidden',
        `The user, group or application 'appid=${CLIENT_ID};oid=22222222-0000-0000-0000-000000000000;iss=https://sts.windows.net/${TENANT_ID}/' does not have secrets ${operation} permission on key vault 'contoso-kv;location=westeurope'. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125287`
      )
    const rbac = (dataAction: string): RestError =>
      vaultError(
        403,
        'Forbidden',
        `Caller is not authorized to perform action on resource.\r\nIf role assignments, deny assignments or role definitions were changed recently, please observe propagation time.\r\nCaller: appid=${CLIENT_ID};oid=22222222-0000-0000-0000-000000000000\r\nAction: '${dataAction}'\r\nResource: '/subscriptions/s/resourcegroups/rg/providers/microsoft.keyvault/vaults/contoso-kv/secrets/db-password'\r\nAssignment: (not found)\r\nDenyAssignmentId: null\r\nDecisionReason: null \r\nVault: contoso-kv;location=westeurope\r\n`
      )

    test.each([
      ['get', 'get'],
      ['set', 'set'],
      ['delete', 'delete']
    ] as const)('access policy model, %s: names the app and the secret permission to grant', (operation, policy) => {
      const message = explainFailure(accessPolicy(operation), context(operation))
      expect(message).toMatch(
        new RegExp(
          `^App '${CLIENT_ID}' \\(object ${OID}\\) may not ${operation} secrets in vault 'contoso-kv' \\(403 Forbidden\\)\\.`
        )
      )
      expect(message).toContain(
        `The vault uses access policies: give app '${CLIENT_ID}' (object ${OID}) the secret permission '${policy}'`
      )
      expect(message).toContain(
        `az keyvault set-policy --name contoso-kv --spn ${CLIENT_ID} --secret-permissions ${policy}`
      )
      expect(message).toContain(`Key Vault said: The user, group or application 'appid=${CLIENT_ID}`)
    })

    test.each([
      ['get', 'Key Vault Secrets User', 'Microsoft.KeyVault/vaults/secrets/getSecret/action'],
      ['set', 'Key Vault Secrets Officer', 'Microsoft.KeyVault/vaults/secrets/setSecret/action'],
      ['delete', 'Key Vault Secrets Officer', 'Microsoft.KeyVault/vaults/secrets/delete']
    ] as const)("RBAC model, %s: names the role '%s' and its data action", (operation, role, dataAction) => {
      const message = explainFailure(rbac(dataAction), context(operation))
      expect(message).toContain(
        `App '${CLIENT_ID}' (object ${OID}) may not ${operation} secrets in vault 'contoso-kv' (403 Forbidden).`
      )
      expect(message).toContain(
        `The vault uses Azure RBAC: assign app '${CLIENT_ID}' (object ${OID}) the role '${role}' (it grants ${dataAction}) on the vault or the secret ` +
          `(az role assignment create --role "${role}" --assignee-object-id ${OID} --assignee-principal-type ServicePrincipal --scope /subscriptions/s/resourcegroups/rg/providers/microsoft.keyvault/vaults/contoso-kv).`
      )
      expect(message).toContain('Key Vault said: Caller is not authorized to perform action on resource.')
      expect(message).not.toContain('DecisionReason')
    })

    test('the vault names the caller for every sign-in method: the Azure CLI session of a user, or of an app', () => {
      const ctx = { inputs: inputsFor('get'), signIn: signInFor(['azure-cli'], { clientId: '' }) }
      const user = explainFailure(
        vaultError(
          403,
          'Forbidden',
          `The user, group or application 'appid=04b07795-8ddb-461a-bbee-02f9e1bf7b46;oid=${OID};iss=https://sts.windows.net/${TENANT_ID}/' does not have secrets get permission on key vault 'contoso-kv;location=westeurope'.`
        ),
        ctx
      )
      expect(user).toContain(
        `The user with object ID ${OID} may not get secrets in vault 'contoso-kv' (403 Forbidden). The vault uses access policies: give the user with object ID ${OID} the secret permission 'get' (az keyvault set-policy --name contoso-kv --object-id ${OID} --secret-permissions get).`
      )
      const app = explainFailure(rbac('Microsoft.KeyVault/vaults/secrets/getSecret/action'), ctx)
      expect(app).toContain(`App '${CLIENT_ID}' (object ${OID}) may not get secrets`)
    })

    test('an unrecognised 403 gives both models, and a signed-in identity without a client ID is named generically', () => {
      const ctx = { inputs: inputsFor('set'), signIn: signInFor(['azure-cli'], { clientId: '' }) }
      const message = explainFailure(vaultError(403, 'Forbidden', 'Access denied.'), ctx)
      expect(message).toBe(
        "The signed-in identity may not set secrets in vault 'contoso-kv' (403 Forbidden). With Azure RBAC, assign the role 'Key Vault Secrets Officer'; with access policies, grant the secret permission 'set'. Key Vault said: Access denied."
      )
    })

    test('a disabled secret: says so and gives the command to enable it', () => {
      const message = explainFailure(
        vaultError(403, 'Forbidden', 'Operation get is not allowed on a disabled secret.'),
        context('get')
      )
      expect(message).toBe(
        "Secret 'db-password' in vault 'contoso-kv' is disabled, so it cannot be read. Enable it: az keyvault secret set-attributes --vault-name contoso-kv --name db-password --enabled true"
      )
    })

    describe('an expired secret the vault refuses (403 SecretExpired, Azure/AzureKeyVault issue 19)', () => {
      const expired = (): RestError =>
        vaultError(403, 'Forbidden', 'Operation get is not allowed on a expired secret.', 'SecretExpired')

      test('with the date the versions listing gave: names the secret, the day and how to extend it', () => {
        const error = new SecretFailure('db-password', expired(), 'get', undefined, new Date('2026-05-01T00:00:00Z'))
        expect(explainFailure(error, context('get'))).toBe(
          "Secret 'db-password' in vault 'contoso-kv' expired on 2026-05-01, and Key Vault refuses to read it (403 Forbidden, SecretExpired). " +
            "Extend it (az keyvault secret set-attributes --vault-name contoso-kv --name db-password --expires <YYYY-MM-DDThh:mm:ssZ>), or store a new version with a later expiry ('operation: set' with 'expires'). Nothing was exported."
        )
      })

      test('without a date (the identity may not list versions): says so, and where to look', () => {
        const message = explainFailure(new SecretFailure('db-password', expired(), 'get'), context('get'))
        expect(message).toMatch(/^Secret 'db-password' in vault 'contoso-kv' has expired \(when is not known: /)
        expect(message).toContain('az keyvault secret list-versions --vault-name contoso-kv --name db-password')
        expect(message).toContain(
          'az keyvault secret set-attributes --vault-name contoso-kv --name db-password --expires'
        )
      })

      test('recognised by its message when the inner code is missing, and not taken for a disabled secret', () => {
        const message = explainFailure(
          vaultError(403, 'Forbidden', 'Operation get is not allowed on a expired secret.'),
          context('get')
        )
        expect(message).toContain('has expired')
        expect(message).not.toContain('is disabled')
      })
    })

    // Key Vault's network rules answer 403 too; "Public network access is disabled" is about the vault, not the secret.
    test('a vault that refuses public network access is not reported as a disabled secret', () => {
      const error = vaultError(
        403,
        'Forbidden',
        `Public network access is disabled and request is not from a trusted service nor via an approved private link.\r\nCaller: appid=${CLIENT_ID};oid=22222222-0000-0000-0000-000000000000\r\nVault: contoso-kv;location=westeurope`
      )
      const message = explainFailure(error, context('get'))
      expect(message).not.toContain('is disabled, so it cannot be read')
      expect(message).not.toContain('set-attributes')
      expect(message).toContain('Public network access is disabled')
    })
  })

  test('404 names the secret and vault, the inputs to check and the recover command', () => {
    const error = vaultError(
      404,
      'SecretNotFound',
      'A secret with (name/id) db-password was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command.'
    )
    expect(explainFailure(error, context('get'))).toBe(
      "Secret 'db-password' was not found in vault 'contoso-kv'. Check 'secret-name' and 'vault-name'. If it was deleted recently, recover it: az keyvault secret recover --vault-name contoso-kv --name db-password"
    )
  })

  test('409 deleted-but-recoverable gives the recover and purge commands', () => {
    const error = vaultError(
      409,
      'Conflict',
      'Secret db-password is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the secret can only be recovered or purged.'
    )
    const message = explainFailure(error, context('set'))
    expect(message).toContain(
      "Secret 'db-password' in vault 'contoso-kv' is deleted but recoverable, so its name cannot be reused yet."
    )
    expect(message).toContain('az keyvault secret recover --vault-name contoso-kv --name db-password')
    expect(message).toContain('az keyvault secret purge --vault-name contoso-kv --name db-password')
    expect(message).toContain('if-deleted: recover')
  })

  test('409 being recovered says to run again shortly', () => {
    const error = vaultError(
      409,
      'Conflict',
      'Secret db-password is currently being recovered, and its name cannot be reused. Please retry later.'
    )
    expect(explainFailure(error, context('set'))).toBe(
      "Secret 'db-password' in vault 'contoso-kv' is being recovered right now; run the step again in a minute."
    )
  })

  test('409 being deleted (a delete or purge still in progress) says to run again shortly', () => {
    const error = vaultError(409, 'Conflict', 'Secret db-password is currently being deleted.')
    expect(explainFailure(error, context('set'))).toBe(
      "Secret 'db-password' in vault 'contoso-kv' is still being deleted or purged; run the step again in a minute."
    )
  })

  describe('recognised by the inner code the service sends, not by the message', () => {
    test('ForbiddenByFirewall gives the firewall advice whatever the message says', () => {
      const message = explainFailure(
        vaultError(403, 'Forbidden', 'Access was refused.', 'ForbiddenByFirewall'),
        context('get')
      )
      expect(message).toContain(
        "Vault 'contoso-kv' refused the runner's network address (403 Forbidden, ForbiddenByFirewall)."
      )
      expect(message).not.toContain('may not get secrets')
    })

    test('ForbiddenByConnection says the vault takes private-endpoint traffic only', () => {
      const error = vaultError(
        403,
        'Forbidden',
        'Public network access is disabled and request is not from a trusted service nor via an approved private link.',
        'ForbiddenByConnection'
      )
      const message = explainFailure(error, context('get'))
      expect(message).toContain(
        "Vault 'contoso-kv' accepts no requests from public networks (403 Forbidden, ForbiddenByConnection)"
      )
      expect(message).toContain('private endpoint')
    })

    test('ForbiddenByRbac names the role even when the message is not the usual English text', () => {
      const message = explainFailure(
        vaultError(403, 'Forbidden', 'Zugriff verweigert.', 'ForbiddenByRbac'),
        context('get')
      )
      expect(message).toContain(
        `The vault uses Azure RBAC: assign app '${CLIENT_ID}' the role 'Key Vault Secrets User'`
      )
    })

    test('a 409 the action does not know gets an honest generic message, not the deleted-but-recoverable advice', () => {
      const message = explainFailure(
        vaultError(409, 'Conflict', 'Something else is in the way.', 'SomethingNew'),
        context('set')
      )
      expect(message).toBe(
        "Key Vault 'contoso-kv' refused to set secret 'db-password' (409 Conflict, SomethingNew). Key Vault said: Something else is in the way."
      )
      expect(explainFailure(vaultError(409, 'Conflict', 'Another conflict.'), context('set'))).toBe(
        "Key Vault 'contoso-kv' refused to set secret 'db-password' (409 Conflict). Key Vault said: Another conflict."
      )
    })
  })

  test("a vault in another tenant: the tenant is quoted without the full stop that ends the SDK's sentence", () => {
    const sdkMessage = (tenant: string): string =>
      `The current credential is not configured to acquire tokens for tenant ${tenant}. To enable acquiring tokens for this tenant add it to the AdditionallyAllowedTenants on the credential options, or add "*" to AdditionallyAllowedTenants to allow acquiring tokens for any tenant.`
    const guid = '72f988bf-86f1-41af-91ab-2d7cd011db47'
    expect(explainFailure(new CredentialUnavailableError(sdkMessage(guid)), context())).toContain(
      `belongs to tenant '${guid}', but the sign-in is for tenant '${TENANT_ID}'`
    )
    expect(explainFailure(new CredentialUnavailableError(sdkMessage('contoso.onmicrosoft.com')), context())).toContain(
      "belongs to tenant 'contoso.onmicrosoft.com', but"
    )
  })

  describe('a purge, recover or delete the vault was still finishing when the time ran out', () => {
    const stillDeleting = (after?: 'purge' | 'recover' | 'delete'): SecretFailure =>
      new SecretFailure(
        'db-password',
        new StillInTransition(
          after === 'recover' ? 'beingRecovered' : 'beingDeleted',
          9,
          40_500,
          after,
          vaultError(409, 'Conflict', 'x', 'ObjectIsBeingDeleted')
        ),
        'set'
      )

    test.each([
      [
        'purge',
        "This step purged the deleted secret first ('if-deleted: purge'); Key Vault accepted the purge but had not freed the name yet."
      ],
      [
        'recover',
        "This step recovered the deleted secret first ('if-deleted: recover'); Key Vault had not finished the recovery yet."
      ],
      [
        'delete',
        "This step deleted the secret and then tried to purge it ('purge: true'); the delete had not finished yet."
      ],
      [undefined, 'Another run or tool is deleting, purging or recovering this secret.']
    ] as const)('after %s: says what the step did, how long it waited and what to do', (after, own) => {
      const message = explainFailure(stillDeleting(after), context('set'))
      const what =
        after === 'recover'
          ? 'being recovered (409 ObjectIsBeingRecovered)'
          : 'being deleted (409 ObjectIsBeingDeleted)'
      expect(message).toBe(
        `Secret 'db-password' in vault 'contoso-kv' was still ${what} after 9 tries over 41 s, when 'timeout' (300 s) left no time to try again. ${own}` +
          " Key Vault gives no signal when it has finished: run the step again in a minute, or raise 'timeout'."
      )
    })
  })

  const purgeProtected = (): RestError =>
    vaultError(
      403,
      'Forbidden',
      'Operation "purge" is not allowed because purge protection is enabled for this vault. Key Vault service will automatically purge it after the retention period has passed.'
    )

  test.each([
    ['set', "Use 'if-deleted: recover' to reuse the name, or choose another name."],
    ['delete', "The secret is deleted and recoverable until then; remove 'purge: true' to stop at the delete."],
    ['purge', "Recover it instead ('operation: recover'), or wait for the scheduled purge."]
  ] as const)(
    '403 purge protection during %s says the vault purges it later, and what to do instead',
    (operation, instead) => {
      expect(explainFailure(new SecretFailure('db-password', purgeProtected(), 'purge'), context(operation))).toBe(
        `Vault 'contoso-kv' has purge protection, so secret 'db-password' cannot be purged before its retention period ends; the vault purges it then. ${instead}`
      )
    }
  )

  test.each(['recover', 'purge'] as const)(
    '404 during %s says there is no such deleted secret and how to list them',
    (operation) => {
      const error = vaultError(404, 'DeletedSecretNotFound', 'Deleted Secret not found')
      expect(explainFailure(new SecretFailure('db-password', error, operation), context(operation))).toBe(
        `Vault 'contoso-kv' has no deleted secret named 'db-password' to ${operation}. It may never have been deleted, may already be recovered or purged, or its delete may still be in progress. List the deleted secrets: az keyvault secret list-deleted --vault-name contoso-kv`
      )
    }
  )

  test("a 403 on the read that skip-unchanged makes names the 'get' permission, not 'set'", () => {
    const error = vaultError(
      403,
      'Forbidden',
      "The user, group or application 'appid=x;oid=y' does not have secrets get permission on key vault 'contoso-kv;location=eastus'."
    )
    const message = explainFailure(new SecretFailure('db-password', error, 'get'), context('set'))
    expect(message).toContain('may not get secrets')
    expect(message).toContain('--secret-permissions get')
  })

  const THROTTLED =
    'Request was not processed because too many requests were received. Reason: VaultRequestTypeLimitReached'

  test('429 says the vault kept throttling and what to do: lower concurrency, spread the jobs, fewer secrets', () => {
    expect(explainFailure(vaultError(429, 'Throttled', THROTTLED), context())).toBe(
      "Key Vault 'contoso-kv' kept throttling requests (429 Too Many Requests). More requests reach this vault than its limits allow: lower 'concurrency' (now 32), " +
        "spread out the jobs and workflows that use this vault, or read fewer secrets per run (several values can share one JSON secret read with 'parse-json'). " +
        `Key Vault said: ${THROTTLED}`
    )
  })

  test('429 after retries says how often and how far the step slowed down', () => {
    const resilience = resilienceAfter({ trouble: { status: 429 }, attempts: 11, elapsedMs: 23_400 })
    const message = explainFailure(vaultError(429, 'Throttled', THROTTLED), { ...context(), resilience })
    expect(message).toContain(
      "Key Vault 'contoso-kv' kept throttling requests (429 Too Many Requests), also on 10 retries over 23 s, even after slowing down to 1 request in flight and pausing between tries."
    )
  })

  test.each([
    [500, 'InternalServerError', 'Internal server error.', 'get'],
    [503, 'ServiceUnavailable', 'The service is unavailable.\r\nsecond line', 'delete'],
    [408, 'RequestTimeout', 'The request timed out.', 'get']
  ] as const)(
    '%s names the status, code, operation and secret, and points to the Azure status page',
    (status, code, text, operation) => {
      const message = explainFailure(vaultError(status, code, text), context(operation))
      expect(message).toBe(
        `Key Vault 'contoso-kv' answered ${status} ${code} to '${operation}' of secret 'db-password'. This is a problem on Azure's side: check https://azure.status.microsoft ` +
          `(and Service Health in the Azure portal), then run the job again. Key Vault said: ${text.split(/\r?\n/)[0]}`
      )
    }
  )

  test('503 after retries says how often and for how long', () => {
    const resilience = resilienceAfter({ trouble: { status: 503 }, attempts: 5, elapsedMs: 7250 })
    const message = explainFailure(vaultError(503, 'ServiceUnavailable', 'The service is unavailable.'), {
      ...context(),
      resilience
    })
    expect(message).toContain(
      "answered 503 ServiceUnavailable to 'get' of secret 'db-password', also on 4 retries over 7.3 s. This is a problem on Azure's side"
    )
  })

  test.each([
    [400, 'BadParameter', 'The request URI contains an invalid name: db_password', 'set'],
    [501, 'NotImplemented', 'Not implemented.', 'get']
  ] as const)(
    '%s (not retried) names the status, code, operation, secret and the service message',
    (status, code, text, operation) => {
      const message = explainFailure(vaultError(status, code, text), context(operation))
      expect(message).toBe(
        `Key Vault 'contoso-kv' answered ${status} ${code} to '${operation}' of secret 'db-password'. Key Vault said: ${text}`
      )
    }
  )

  test('without inputs, the vault and secret are described generically', () => {
    const message = explainFailure(vaultError(500, 'InternalServerError', 'Internal server error.'))
    expect(message).toBe(
      "Key Vault 'the vault' answered 500 InternalServerError to 'get' of secret '(unknown)'. This is a problem on Azure's side: check https://azure.status.microsoft " +
        '(and Service Health in the Azure portal), then run the job again. Key Vault said: Internal server error.'
    )
  })

  test('the secret value of a set never appears in the explanation', () => {
    const message = explainFailure(vaultError(403, 'Forbidden', 'Access denied.'), context('set'))
    expect(message).not.toContain('never-shown')
  })
})

describe('network errors', () => {
  test.each([
    [AzureCloud, 'AzureCloud'],
    [AzureChinaCloud, 'AzureChinaCloud']
  ])('VaultHostNotFoundError names the host, vault-name and the environment (%#)', (cloud, name) => {
    const ctx = { inputs: inputsFor('get', cloud), signIn: signInFor(['oidc']) }
    const message = explainFailure(new VaultHostNotFoundError('contoso-kv.vault.azure.net'), ctx)
    expect(message).toBe(
      `The vault host 'contoso-kv.vault.azure.net' does not resolve. Check 'vault-name' for a typo and that 'environment' (${name}) is the vault's cloud; for a vault behind a private endpoint, the runner must be able to resolve its private DNS name.`
    )
  })

  test('VaultHostNotFoundError for a vault given by vault-url blames vault-url, not vault-name', () => {
    const inputs: ActionInputs = {
      ...inputsFor('get'),
      vault: { url: 'https://kv.corp.example', name: 'kv.corp.example', input: 'vault-url' }
    }
    const message = explainFailure(new VaultHostNotFoundError('kv.corp.example'), { inputs })
    expect(message).toContain("The vault host 'kv.corp.example' does not resolve.")
    expect(message).toContain("'vault-url'")
    expect(message).not.toContain("Check 'vault-name'")
  })

  test.each(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'EAI_AGAIN'])(
    'a %s network error names the vault URL and what to check',
    (code) => {
      const error = new RestError(`connect ${code} 10.0.0.4:443`, { code })
      expect(explainFailure(error, context())).toBe(
        `Could not reach https://contoso-kv.vault.azure.net: ${code} (connect ${code} 10.0.0.4:443). Check the runner's network access (proxy, firewall, DNS, TLS inspection) to the vault and to Microsoft Entra ID.`
      )
    }
  )

  test('a network error after retries says how often', () => {
    const resilience = resilienceAfter({ trouble: { code: 'ECONNRESET' }, attempts: 5, elapsedMs: 9100 })
    const error = new RestError('read ECONNRESET', { code: 'ECONNRESET' })
    expect(explainFailure(error, { ...context(), resilience })).toBe(
      "Could not reach https://contoso-kv.vault.azure.net: ECONNRESET (read ECONNRESET), also on 4 retries over 9.1 s. Check the runner's network access (proxy, firewall, DNS, TLS inspection) to the vault and to Microsoft Entra ID."
    )
  })
})

describe('certificate errors', () => {
  test.each([
    'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    'SELF_SIGNED_CERT_IN_CHAIN',
    'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
    'CERT_HAS_EXPIRED',
    'ERR_TLS_CERT_ALTNAME_INVALID'
  ])('%s is a network error that points to NODE_EXTRA_CA_CERTS', (code) => {
    const error = new RestError('unable to verify the first certificate', { code })
    expect(explainFailure(error, context())).toBe(
      `Could not reach https://contoso-kv.vault.azure.net: ${code} (unable to verify the first certificate). ` +
        "A proxy that inspects TLS presents its own certificate: trust its CA by setting NODE_EXTRA_CA_CERTS to the CA's PEM file in the job's env. " +
        "Check the runner's network access (proxy, firewall, DNS, TLS inspection) to the vault and to Microsoft Entra ID."
    )
  })
})

describe('behind a proxy (HTTPS_PROXY and the like)', () => {
  const proxy: ProxyInUse = { url: 'http://proxy.corp:3128', variable: 'HTTPS_PROXY' }

  test('a proxy that is down: the message names the proxy, its variable, and what to check', () => {
    const resilience = resilienceAfter({ trouble: { code: 'ECONNREFUSED' }, attempts: 5, elapsedMs: 6200 })
    const error = new RestError('connect ECONNREFUSED 10.0.0.9:3128', { code: 'ECONNREFUSED' })
    expect(explainFailure(error, { ...context(), resilience, proxy })).toBe(
      'Could not reach https://contoso-kv.vault.azure.net through the proxy http://proxy.corp:3128 (from HTTPS_PROXY): ECONNREFUSED (connect ECONNREFUSED 10.0.0.9:3128), also on 4 retries over 6.2 s. ' +
        'Check that the proxy is running and reachable from the runner, and that it allows the vault and Microsoft Entra ID; hosts listed in NO_PROXY are reached directly instead.'
    )
  })

  test("an untrusted certificate through the proxy: the TLS-inspecting proxy's CA", () => {
    const error = new RestError('unable to verify the first certificate', { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' })
    expect(explainFailure(error, { ...context(), proxy })).toBe(
      'Could not reach https://contoso-kv.vault.azure.net through the proxy http://proxy.corp:3128 (from HTTPS_PROXY): UNABLE_TO_VERIFY_LEAF_SIGNATURE (unable to verify the first certificate). ' +
        "A proxy that inspects TLS presents its own certificate: trust its CA by setting NODE_EXTRA_CA_CERTS to the CA's PEM file in the job's env."
    )
  })

  test('the proxy answered instead of the vault: a typo, a host it does not allow, or NO_PROXY', () => {
    const message = explainFailure(new ProxyRefusedError('contoso-kv.vault.azure.net', 404, proxy), context())
    expect(message).toBe(
      "The proxy http://proxy.corp:3128 (from HTTPS_PROXY) answered 404 for 'contoso-kv.vault.azure.net' instead of Key Vault: the request never reached the vault. " +
        "Check 'vault-name' for a typo (a proxy answers so for a name it cannot resolve), check that the proxy allows the vault and Microsoft Entra ID " +
        '(*.vault.azure.net and login.microsoftonline.com), or list the vault in NO_PROXY to reach it directly.'
    )
  })

  test("the hosts to allow are the vault's cloud's; a vault-url is blamed as vault-url", () => {
    const inputs: ActionInputs = {
      ...inputsFor('get', AzureChinaCloud),
      vault: { url: 'https://kv.vault.azure.cn', name: 'kv', input: 'vault-url' }
    }
    const message = explainFailure(new ProxyRefusedError('kv.vault.azure.cn', 503, proxy), { inputs })
    expect(message).toContain("answered 503 for 'kv.vault.azure.cn' instead of Key Vault")
    expect(message).toContain("Check 'vault-url' for a typo")
    expect(message).toContain('(*.vault.azure.cn and login.chinacloudapi.cn)')
  })

  test('a proxy variable without a scheme: says so, without repeating its value', () => {
    const error = new RestError('Invalid URL', { code: 'ERR_INVALID_URL' })
    expect(explainFailure(error, { ...context(), proxy: { variable: 'HTTPS_PROXY' } })).toBe(
      'Could not reach https://contoso-kv.vault.azure.net: ERR_INVALID_URL (Invalid URL). ' +
        'HTTPS_PROXY does not hold a proxy URL the Azure SDK can use: give it with its scheme, as http://host:port (in both https_proxy and HTTPS_PROXY).'
    )
  })

  test('407: the proxy wants credentials', () => {
    const message = explainFailure(
      new ProxyRefusedError('contoso-kv.vault.azure.net', 407, {
        url: 'http://proxy.corp:3128',
        variable: 'https_proxy'
      }),
      context()
    )
    expect(message).toBe(
      "The proxy http://proxy.corp:3128 (from https_proxy) asked for credentials (407 Proxy Authentication Required) before it would connect to 'contoso-kv.vault.azure.net'. " +
        "Give them in the proxy URL of the runner's proxy settings (http://user:password@proxy:port, in https_proxy and HTTPS_PROXY)."
    )
  })
})

describe("input 'timeout' ran out", () => {
  const timedOut = (health: Partial<VaultHealth>): string => {
    const resilience = resilienceAfter(undefined)
    Object.assign(resilience.health, health)
    return explainFailure(new RunTimedOut(300), { ...context(), resilience })
  }
  const opening =
    "The step ran out of time: input 'timeout' allows 300 s, and the work with Key Vault 'contoso-kv' had not finished. Nothing was exported."

  test('after 5xx answers: names the last status and points to the Azure status page', () => {
    expect(timedOut({ lastTrouble: { status: 503 }, retries: 3 })).toBe(
      `${opening} The vault's last failed answer was 503 Service Unavailable (after 3 retries). Check https://azure.status.microsoft for a Key Vault problem, then run the job again; raise 'timeout' if the vault is only slow.`
    )
  })

  test('while throttled: names 429 and says to lower concurrency', () => {
    expect(timedOut({ lastTrouble: { status: 429 }, retries: 1 })).toBe(
      `${opening} The vault's last failed answer was 429 Too Many Requests (after 1 retry). The vault is throttling: lower 'concurrency', spread out the jobs that use this vault, or raise 'timeout'.`
    )
  })

  test('after network failures: names the error and the network', () => {
    expect(timedOut({ lastTrouble: { code: 'ETIMEDOUT', detail: 'no answer within 30 s' }, retries: 2 })).toBe(
      `${opening} The last failed request to the vault ended with ETIMEDOUT (no answer within 30 s) (after 2 retries). Check the runner's network access to the vault and to Microsoft Entra ID, or raise 'timeout' if the vault is only slow.`
    )
  })

  test('with requests still unanswered and nothing failed', () => {
    expect(timedOut({ unanswered: 2 })).toContain(`${opening} 2 requests to the vault had no answer yet.`)
  })

  test('with nothing in flight', () => {
    expect(timedOut({})).toContain(
      'No request to the vault was waiting for an answer: the step was signing in or waiting between polls.'
    )
  })
})

describe('anything else', () => {
  test.each([
    [
      'an Error',
      new TypeError("Cannot read properties of undefined (reading 'value')\n    at x"),
      "Unexpected error: Cannot read properties of undefined (reading 'value')"
    ],
    ['a thrown string', 'boom', 'Unexpected error: boom'],
    ['undefined', undefined, 'Unexpected error: undefined'],
    [
      'a RestError without a status',
      new RestError('socket closed', { code: 'SOMETHING_ELSE' }),
      'Unexpected error: socket closed'
    ]
  ])('%s is reported as unexpected with its first line', (_, error, expected) => {
    expect(explainFailure(error, context())).toBe(expected)
  })
})
