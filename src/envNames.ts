/**
 * Environment variable names for secrets exported to later steps. A vault's contents must never be
 * able to change how later steps run, so names that steer shells, loaders, runtimes, git or the
 * runner itself are refused.
 */

const RefusedNames = new Set([
  'PATH', 'HOME', 'SHELL', 'ENV', 'BASH_ENV', 'IFS', 'PS4', 'PROMPT_COMMAND', 'CDPATH', 'TMPDIR', 'CI',
  'NODE_OPTIONS', 'NODE_PATH', 'NODE_EXTRA_CA_CERTS', 'PYTHONPATH', 'PYTHONSTARTUP', 'PYTHONHOME',
  'PERL5OPT', 'PERL5LIB', 'RUBYOPT', 'RUBYLIB', 'JAVA_TOOL_OPTIONS', '_JAVA_OPTIONS', 'JDK_JAVA_OPTIONS',
  'SSL_CERT_FILE', 'SSL_CERT_DIR', 'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'ALL_PROXY'
])
const RefusedPrefixes = ['LD_', 'DYLD_', 'GITHUB_', 'RUNNER_', 'ACTIONS_', 'GIT_', 'BASH_FUNC_', 'NPM_CONFIG_', 'INPUT_', 'STATE_']

const VALID_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

/** `db-password` -> `DB_PASSWORD`. */
export function envNameFor(secretName: string): string {
  return secretName.toUpperCase().replace(/-/g, '_')
}

/** Why a name may not be exported, or undefined when it may. Compared case-insensitively. */
export function refusalOf(name: string): string | undefined {
  if (!VALID_NAME.test(name)) return 'it is not a valid variable name (letters, digits and _, not starting with a digit)'
  const upper = name.toUpperCase()
  if (RefusedNames.has(upper)) return 'it would change how later steps run'
  const prefix = RefusedPrefixes.find((refused) => upper.startsWith(refused))
  if (prefix) return `names starting with ${prefix} would change how later steps or the runner behave`
  return undefined
}
