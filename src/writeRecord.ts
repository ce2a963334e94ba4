/**
 * What the step has written outside itself so far: Key Vault versions and GitHub secrets. Each is
 * recorded as its write completes, so a failure after any of them, a timeout included (which does
 * not wait for the work to unwind), says exactly what exists now and what was not written.
 */
export class WriteRecord {
  private readonly versions: { readonly secretName: string; readonly version: string; readonly vault: string }[] = []
  private github:
    { readonly where: string; readonly planned: readonly string[]; readonly written: string[] } | undefined

  keyVaultVersion(secretName: string, version: string, vault: string): void {
    this.versions.push({ secretName, version, vault })
  }

  /** The GitHub secrets about to be written, in order, before the first of them. */
  githubPlanned(where: string, names: readonly string[]): void {
    this.github = { where, planned: [...names], written: [] }
  }

  githubWritten(name: string): void {
    this.github?.written.push(name)
  }

  /** The first Key Vault version written, for the advice that copies it on to GitHub. */
  get firstVersion(): { readonly secretName: string; readonly version: string } | undefined {
    return this.versions[0]
  }

  /** Whether anything outside the step has changed. */
  get isEmpty(): boolean {
    return this.versions.length === 0 && (this.github?.written.length ?? 0) === 0
  }

  /** What a failure message ends with: each write made before it, and those planned and not made; '' when none was made. */
  describe(): string {
    if (this.isEmpty) return ''
    const versions = this.versions.map(
      ({ secretName, version, vault }) => `Key Vault secret '${secretName}' version ${version} (vault '${vault}')`
    )
    const github = this.github
    const githubPart = github
      ? ` GitHub secrets written to ${github.where}: ${github.written.join(', ') || 'none'}; not written: ${
          github.planned.filter((name) => !github.written.includes(name)).join(', ') || 'none'
        }.`
      : ''
    const keyVaultPart = versions.length > 0 ? ` Written before the failure: ${versions.join(', ')}.` : ''
    return `${keyVaultPart}${githubPart}`.trim()
  }
}
