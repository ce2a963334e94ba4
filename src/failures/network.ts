import { Inputs } from '../inputs/table.js'
import type { RunTimedOut } from '../vault/deadline.js'
import type { ProxyRefusedError } from '../vault/proxy.js'
import { describeTrouble, type Trouble } from '../vault/health.js'
import { formatSeconds, plural, serviceText } from '../text.js'
import type { FailureContext } from './context.js'

/*
 * The network between the runner and Azure: unreachable hosts, certificates, proxies, names that do
 * not resolve; and the run's limits: retries given up, throttling, the 'timeout' deadline.
 */

/**
 * OpenSSL's certificate verification failures as Node names them: CERT_HAS_EXPIRED,
 * SELF_SIGNED_CERT_IN_CHAIN, UNABLE_TO_VERIFY_LEAF_SIGNATURE (an untrusted CA, as a TLS-inspecting
 * proxy's is until NODE_EXTRA_CA_CERTS names it), ERR_TLS_CERT_ALTNAME_INVALID, ...
 */
export function isCertificateCode(code: string): boolean {
  return /^([A-Z_]*(CERT|CRL)[A-Z_]*|UNABLE_TO_[A-Z_]+|INVALID_CA|INVALID_PURPOSE|PATH_LENGTH_EXCEEDED|HOSTNAME_MISMATCH)$/.test(
    code
  )
}

/** A request never got an answer: a network error (ECONNREFUSED, ENOTFOUND, ...) or a certificate Node did not trust. */
export function explainNetworkError(code: string, message: string | undefined, context: FailureContext): string {
  const { proxy } = context
  const through = proxy?.url ? ` through the proxy ${proxy.url} (from ${proxy.variable})` : ''
  const failed = `Could not reach ${context.inputs?.vault.url ?? 'Azure'}${through}: ${code} (${serviceText(message)})${afterRetries(context)}.`
  if (proxy && !proxy.url) {
    return `${failed} ${proxy.variable} does not hold a proxy URL the Azure SDK can use: give it with its scheme, as http://host:port (in both https_proxy and HTTPS_PROXY).`
  }
  if (isCertificateCode(code)) {
    const check = proxy
      ? ''
      : ` Check the runner's network access (proxy, firewall, DNS, TLS inspection) to the vault and to Microsoft Entra ID.`
    return `${failed} A proxy that inspects TLS presents its own certificate: trust its CA by setting NODE_EXTRA_CA_CERTS to the CA's PEM file in the job's env.${check}`
  }
  if (proxy) {
    return `${failed} Check that the proxy is running and reachable from the runner, and that it allows the vault and Microsoft Entra ID; hosts listed in NO_PROXY are reached directly instead.`
  }
  return `${failed} Check the runner's network access (proxy, firewall, DNS, TLS inspection) to the vault and to Microsoft Entra ID.`
}

/** The proxy answered instead of the vault: Key Vault never saw the request. */
export function explainProxyRefusal(error: ProxyRefusedError, context: FailureContext): string {
  const { inputs } = context
  const proxy = error.proxy.url
    ? `The proxy ${error.proxy.url} (from ${error.proxy.variable})`
    : `The proxy in ${error.proxy.variable}`
  if (error.status === 407) {
    return (
      `${proxy} asked for credentials (407 Proxy Authentication Required) before it would connect to '${error.host}'. ` +
      `Give them in the proxy URL of the runner's proxy settings (http://user:password@proxy:port, in https_proxy and HTTPS_PROXY).`
    )
  }
  const cloud = inputs?.cloud
  const hosts = cloud ? ` (*.${cloud.vaultDnsSuffix} and ${new URL(cloud.authorityHost).host})` : ''
  return (
    `${proxy} answered ${error.status} for '${error.host}' instead of Key Vault${afterRetries(context)}: the request never reached the vault. ` +
    `Check '${inputs?.vault.input ?? Inputs.VaultName}' for a typo (a proxy answers so for a name it cannot resolve), check that the proxy allows the vault and Microsoft Entra ID${hosts}, ` +
    `or list the vault in NO_PROXY to reach it directly.`
  )
}

/** The vault's host name does not resolve: a typo, another cloud, or a private endpoint's DNS. */
export function explainUnknownHost(host: string, { inputs }: FailureContext): string {
  const where = inputs?.cloud.name ?? 'AzureCloud'
  const check =
    inputs?.vault.input === Inputs.VaultUrl
      ? `Check '${Inputs.VaultUrl}' for a typo`
      : `Check '${Inputs.VaultName}' for a typo and that '${Inputs.Environment}' (${where}) is the vault's cloud`
  return `The vault host '${host}' does not resolve. ${check}; for a vault behind a private endpoint, the runner must be able to resolve its private DNS name.`
}

/** `, also on 4 retries over 9.2 s` when the failed request was retried. */
export function afterRetries({ resilience }: FailureContext): string {
  const gaveUp = resilience?.health.gaveUp
  if (!gaveUp || gaveUp.attempts < 2) return ''
  return `, also on ${plural(gaveUp.attempts - 1, 'retry', 'retries')} over ${formatSeconds(gaveUp.elapsedMs)}`
}

/** Key Vault kept answering 429 after the retries and the slowing down. */
export function explainThrottling(vault: string, serviceSaid: string, context: FailureContext): string {
  const { inputs, resilience } = context
  const lowest = resilience?.throttle.report.lowestLimit
  const slowedDown =
    lowest !== undefined
      ? `, even after slowing down to ${plural(lowest, 'request')} in flight and pausing between tries`
      : ''
  const concurrency = inputs ? ` (now ${inputs.concurrency})` : ''
  return (
    `Key Vault '${vault}' kept throttling requests (429 Too Many Requests)${afterRetries(context)}${slowedDown}. ` +
    `More requests reach this vault than its limits allow: lower '${Inputs.Concurrency}'${concurrency}, spread out the jobs and workflows that use this vault, ` +
    `or read fewer secrets per run (several values can share one JSON secret read with '${Inputs.ParseJson}'). ${serviceSaid}`
  )
}

function lastTrouble(trouble: Trouble): string {
  if (trouble.status !== undefined) return `The vault's last failed answer was ${describeTrouble(trouble)}`
  return `The last failed request to the vault ended with ${describeTrouble(trouble)}`
}

/** The run's 'timeout' ran out: what it had written, what the vault last did, what to do. */
export function explainTimeout(error: RunTimedOut, { inputs, resilience, written }: FailureContext): string {
  const vault = inputs?.vault.name ?? 'the vault'
  if (written && !written.isEmpty)
    return `The step ran out of time: input '${Inputs.Timeout}' allows ${error.seconds} s, and it had written only part of its work. ${written.describe()} No outputs were set. Raise '${Inputs.Timeout}', then run the step again: it writes every secret again.`
  const health = resilience?.health
  const trouble: Trouble | undefined = health?.lastTrouble
  const retries = health && health.retries > 0 ? ` (after ${plural(health.retries, 'retry', 'retries')})` : ''
  const seen = trouble
    ? `${lastTrouble(trouble)}${retries}.`
    : health && health.unanswered > 0
      ? `${plural(health.unanswered, 'request')} to the vault had no answer yet.`
      : `No request to the vault was waiting for an answer: the step was signing in or waiting between polls.`
  const advice =
    trouble?.status === 429
      ? `The vault is throttling: lower '${Inputs.Concurrency}', spread out the jobs that use this vault, or raise '${Inputs.Timeout}'.`
      : trouble?.status !== undefined
        ? `Check https://azure.status.microsoft for a Key Vault problem, then run the job again; raise '${Inputs.Timeout}' if the vault is only slow.`
        : `Check the runner's network access to the vault and to Microsoft Entra ID, or raise '${Inputs.Timeout}' if the vault is only slow.`
  return `The step ran out of time: input '${Inputs.Timeout}' allows ${error.seconds} s, and the work with Key Vault '${vault}' had not finished. Nothing was exported. ${seen} ${advice}`
}
