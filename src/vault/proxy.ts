import type { PipelinePolicy } from '@azure/core-rest-pipeline'

/** The proxy requests to a URL go through, for messages: never its user name or password. */
export interface ProxyInUse {
  /**
   * `http://proxy.corp:3128`, without credentials, path or query; undefined when the value is no
   * http:// or https:// URL (`proxy.corp:3128`: the Azure SDK fails on it or reads `proxy.corp:` as
   * the scheme, where @actions/http-client would add `http://`).
   */
  readonly url?: string
  /** The variable it came from, as set (`HTTPS_PROXY` or `https_proxy`, ...). */
  readonly variable: string
}

type Env = Readonly<Record<string, string | undefined>>

/** Upper case first, then lower case, a set but empty variable counting as unset: as the Azure SDK reads them. */
function lookup(env: Env, name: string): { variable: string; value: string } | undefined {
  for (const variable of [name, name.toLowerCase()]) {
    const value = env[variable]
    if (value) return { variable, value }
  }
  return undefined
}

/**
 * The proxy the Azure SDK's pipeline (its proxy policy, @azure/core-rest-pipeline) sends a request
 * to `url` through: HTTPS_PROXY, else ALL_PROXY, else HTTP_PROXY, for http and https URLs alike;
 * none when NO_PROXY lists the host (`.example.com` matches it and every host under it, a name
 * without the dot only itself). The GitHub ID token request uses @actions/http-client, which reads
 * the variables differently (lower case first, `example.com` matching hosts under it too).
 */
export function vaultProxy(url: string, env: Env = process.env): ProxyInUse | undefined {
  const found = lookup(env, 'HTTPS_PROXY') ?? lookup(env, 'ALL_PROXY') ?? lookup(env, 'HTTP_PROXY')
  if (!found) return undefined
  let host: string
  try {
    host = new URL(url).hostname
  } catch {
    return undefined
  }
  const noProxy = (lookup(env, 'NO_PROXY')?.value ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0)
  const bypassed = noProxy.some((entry) =>
    entry.startsWith('.') ? host.endsWith(entry) || host === entry.slice(1) : host === entry
  )
  if (bypassed) return undefined
  // A value that is no usable URL is not repeated: it could hold a password.
  return { ...shownUrl(found.value), variable: found.variable }
}

function shownUrl(value: string): { url?: string } {
  try {
    const proxy = new URL(value)
    return proxy.protocol === 'http:' || proxy.protocol === 'https:' ? { url: `${proxy.protocol}//${proxy.host}` } : {}
  } catch {
    return {}
  }
}

/** The proxy answered a request to the vault itself: Key Vault never saw it. */
export class ProxyRefusedError extends Error {
  override readonly name = 'ProxyRefusedError'
  constructor(
    readonly host: string,
    readonly status: number,
    readonly proxy: ProxyInUse
  ) {
    super(`The proxy ${proxy.url ?? `in ${proxy.variable}`} answered ${status} for ${host}`)
  }
}

/**
 * When a proxy refuses the tunnel to the vault (a name it cannot resolve, a host it does not allow,
 * credentials it wants), the SDK's proxy agent hands its answer on as if the vault had given it: a
 * 404 with no body (which the Key Vault client fails to read), a 403 or 407 that would be taken for
 * the vault's, a 502 or 503 that would be blamed on Azure. Key Vault's own answers carry
 * x-ms-request-id; a failed one without it, through a proxy, is the proxy's. Added outside the retry
 * policy, so retries are as for any answer and only the final one is judged.
 */
export function proxyRefusalPolicy(proxy: ProxyInUse): PipelinePolicy {
  return {
    name: 'keyvaultSecretsActionProxyRefusal',
    async sendRequest(request, next) {
      const response = await next(request)
      if (response.status >= 400 && !response.headers.has('x-ms-request-id')) {
        throw new ProxyRefusedError(new URL(request.url).host, response.status, proxy)
      }
      return response
    }
  }
}
