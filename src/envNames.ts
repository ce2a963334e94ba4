/**
 * Environment variable names for secrets exported to later steps. A vault's contents must never be
 * able to change how later steps run, so names that steer shells, loaders, runtimes, package
 * managers, TLS trust, tools or the runner itself are refused. No such list is ever complete, so
 * it is the second line: the first is that a variable is exported only under a name or a prefix
 * the workflow wrote (operations/get/naming.ts), and a name the vault's contents chose after that prefix
 * (a glob match, a JSON key) never replaces a variable the step's environment already has.
 */

/** Each group says why its names are refused; README.md lists them (a test keeps the two equal). */
export const RefusedNameGroups = {
  'shells and the system': [
    'PATH',
    'HOME',
    'SHELL',
    'ENV',
    'BASH_ENV',
    'IFS',
    'PS4',
    'PROMPT_COMMAND',
    'CDPATH',
    'TMPDIR',
    'CI',
    'ZDOTDIR',
    'SHELLOPTS',
    'BASHOPTS',
    'EDITOR',
    'VISUAL',
    'PAGER',
    'LESSOPEN',
    'LESSCLOSE',
    'XDG_CONFIG_HOME',
    // Read-only in bash (a script sourcing an env file with `set -e` stops), or steering scripts:
    'UID',
    'EUID',
    'PPID',
    'TMOUT',
    'GLOBIGNORE',
    'FUNCNEST',
    'PS0',
    'PS1',
    'PS2',
    'PS3',
    'HISTFILE',
    'INPUTRC',
    'MAILPATH'
  ],
  'loaders and C libraries': [
    'GLIBC_TUNABLES',
    'GCONV_PATH',
    'HOSTALIASES',
    'LOCALDOMAIN',
    'RES_OPTIONS',
    'MALLOC_CONF'
  ],
  'TLS trust and proxies': [
    'SSL_CERT_FILE',
    'SSL_CERT_DIR',
    'REQUESTS_CA_BUNDLE',
    'CURL_CA_BUNDLE',
    'AWS_CA_BUNDLE',
    'NODE_EXTRA_CA_CERTS',
    'NODE_TLS_REJECT_UNAUTHORIZED',
    'OPENSSL_CONF',
    'OPENSSL_ENGINES',
    'SSLKEYLOGFILE',
    'GIT_SSL_CAINFO',
    'HTTP_PROXY',
    'HTTPS_PROXY',
    'NO_PROXY',
    'ALL_PROXY'
  ],
  'language runtimes': [
    'NODE_OPTIONS',
    'NODE_PATH',
    'PYTHONPATH',
    'PYTHONSTARTUP',
    'PYTHONHOME',
    'PYTHONINSPECT',
    'PYTHONWARNINGS',
    'PERL5OPT',
    'PERL5LIB',
    'RUBYOPT',
    'RUBYLIB',
    'JAVA_TOOL_OPTIONS',
    '_JAVA_OPTIONS',
    'JDK_JAVA_OPTIONS',
    'DOTNET_STARTUP_HOOKS',
    'DOTNET_ADDITIONAL_DEPS',
    'COR_ENABLE_PROFILING',
    'COR_PROFILER',
    'COR_PROFILER_PATH',
    'CORECLR_ENABLE_PROFILING',
    'CORECLR_PROFILER',
    'CORECLR_PROFILER_PATH',
    'GOFLAGS',
    'GOPROXY',
    'GOPATH',
    'GOROOT',
    'GOENV',
    'GOTOOLCHAIN',
    'GOPRIVATE',
    'GONOSUMDB',
    'GOSUMDB',
    'GOINSECURE',
    'RUSTC_WRAPPER',
    'RUSTC',
    'RUSTFLAGS',
    'RUSTDOCFLAGS',
    'JAVA_OPTS',
    'LUA_INIT',
    'LUA_PATH',
    'LUA_CPATH'
  ],
  'build tools and package managers': [
    'MAVEN_OPTS',
    'MAVEN_ARGS',
    'GRADLE_OPTS',
    'GRADLE_USER_HOME',
    'PIP_INDEX_URL',
    'PIP_EXTRA_INDEX_URL',
    'PIP_CONFIG_FILE',
    'UV_INDEX_URL',
    'UV_EXTRA_INDEX_URL',
    'CC',
    'CXX',
    'LD',
    'CFLAGS',
    'CXXFLAGS',
    'LDFLAGS',
    'CPPFLAGS',
    'MAKEFLAGS',
    'PKG_CONFIG_PATH',
    'COREPACK_NPM_REGISTRY',
    'COREPACK_INTEGRITY_KEYS',
    'RUSTUP_DIST_SERVER',
    'UV_DEFAULT_INDEX',
    'PIP_FIND_LINKS',
    'BUN_CONFIG_REGISTRY',
    'NVM_NODEJS_ORG_MIRROR',
    'TF_CLI_ARGS'
  ],
  'downloads of tools and browsers': [
    'PLAYWRIGHT_DOWNLOAD_HOST',
    'PUPPETEER_DOWNLOAD_BASE_URL',
    'ELECTRON_MIRROR',
    'HF_ENDPOINT'
  ],
  'tool configuration': [
    'KUBECONFIG',
    'DOCKER_HOST',
    'DOCKER_CONFIG',
    'DOCKER_CERT_PATH',
    'DOCKER_TLS_VERIFY',
    'GNUPGHOME',
    'SSH_AUTH_SOCK',
    'SSH_ASKPASS'
  ]
} as const

/** Prefixes, each with what its names steer. */
export const RefusedPrefixes = {
  LD_: 'the dynamic loader',
  DYLD_: 'the dynamic loader',
  GITHUB_: 'the runner',
  RUNNER_: 'the runner',
  ACTIONS_: 'the runner',
  INPUT_: 'the runner',
  STATE_: 'the runner',
  GIT_: 'git',
  BASH_: 'bash (BASH_FUNC_ defines functions, BASH_LOADABLES_PATH loads builtins)',
  LUA_INIT_: 'Lua',
  TF_CLI_ARGS_: 'Terraform',
  COREPACK_: 'Corepack',
  PIP_: 'pip',
  UV_: 'uv',
  NPM_CONFIG_: 'npm',
  YARN_: 'yarn',
  CARGO_: 'cargo',
  DOTNET_: '.NET',
  COMPLUS_: '.NET',
  AZURE_: 'the Azure CLI and SDKs (and this action)',
  ARM_: 'Terraform and other Azure Resource Manager tools'
} as const

const RefusedNames: ReadonlyMap<string, string> = new Map(
  Object.entries(RefusedNameGroups).flatMap(([group, names]) => names.map((name): [string, string] => [name, group]))
)

const VALID_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

/** `db-password` -> `DB_PASSWORD`. */
export function envNameFor(secretName: string): string {
  return secretName.toUpperCase().replace(/-/g, '_')
}

/** Why a name may not be exported, or undefined when it may. Compared case-insensitively. */
export function refusalOf(name: string): string | undefined {
  if (!VALID_NAME.test(name))
    return 'it is not a valid variable name (letters, digits and _, not starting with a digit)'
  const upper = name.toUpperCase()
  const group = RefusedNames.get(upper)
  if (group) return `it would change how later steps run (${group})`
  const prefix = (Object.keys(RefusedPrefixes) as (keyof typeof RefusedPrefixes)[]).find((refused) =>
    upper.startsWith(refused)
  )
  if (prefix) return `names starting with ${prefix} steer ${RefusedPrefixes[prefix]}`
  return undefined
}

/** Why every name under a prefix alias (`LD_*=*`) would be refused, or undefined when not all would be. */
export function refusalOfPrefix(prefix: string): string | undefined {
  const upper = prefix.toUpperCase()
  const refused = (Object.keys(RefusedPrefixes) as (keyof typeof RefusedPrefixes)[]).find((name) =>
    upper.startsWith(name)
  )
  return refused && `names starting with ${refused} steer ${RefusedPrefixes[refused]}`
}

/**
 * Whether the step's environment already has `name` (Windows compares names without case). A name
 * the vault chose never replaces such a variable: a later step may rely on it.
 */
export function isAlreadySet(
  name: string,
  environment: NodeJS.ProcessEnv,
  platform: NodeJS.Platform = process.platform
): boolean {
  if (platform !== 'win32') return Object.hasOwn(environment, name)
  const upper = name.toUpperCase()
  return Object.keys(environment).some((existing) => existing.toUpperCase() === upper)
}
