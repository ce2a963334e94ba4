import * as core from '@actions/core'
import { AzureLogger, setLogLevel } from '@azure/logger'
import { format } from 'node:util'

/**
 * In a debug run (RUNNER_DEBUG=1) the Azure SDK's log goes to the runner's debug log, unless the
 * user chose their own level with AZURE_LOG_LEVEL. The SDK redacts headers and query values.
 */
export function logAzureSdkToDebug(): void {
  if (!core.isDebug() || process.env.AZURE_LOG_LEVEL) return
  setLogLevel('info')
  AzureLogger.log = (...args: unknown[]) => core.debug(format(...args))
}
