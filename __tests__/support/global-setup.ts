/**
 * jest's global setup (package.json `jest.globalSetup`): runs once in jest's own process before the
 * workers start, and they inherit its environment. It makes the stand-in's PKI once for the run
 * (standin/pki.ts, SharedPkiVariable), instead of every test file making RSA keys of its own.
 *
 * Node loads this file itself (jest's module mapping does not apply here), so pki.ts is imported by
 * its own name and run with Node's type stripping, as .github/scripts/*.ts are.
 */
type Pki = typeof import('./standin/pki.js')

export default async function globalSetup(): Promise<void> {
  const pki = (await import(new URL('./standin/pki.ts', import.meta.url).href)) as Pki
  process.env[pki.SharedPkiVariable] = pki.sharedPkiJson()
}
