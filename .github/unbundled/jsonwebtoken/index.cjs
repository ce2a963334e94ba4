'use strict'
/*
 * jsonwebtoken, left out: @azure/msal-node imports it to sign the client assertion of a
 * certificate credential (`jwt.sign` in ClientAssertion), and for nothing else. This action signs
 * in with a client secret, a GitHub ID token handed over as the assertion, the Azure CLI or a
 * managed identity: never a certificate. Bundled, evaluating it (with semver, jws and lodash) cost
 * about 8 ms of every cold `get`, on the way to the first token; and its 15 packages are gone from
 * the dependency tree. package.json's `overrides` put this module in its place under
 * @azure/msal-node only. Should msal-node ever sign with it on a path this action takes, the
 * sign-in fails with this error and the end-to-end tests with it (`__tests__/unit/unbundled.test.ts`).
 */
exports.sign = () => {
  throw new Error(
    "jsonwebtoken is not part of this action: @azure/msal-node asked to sign a certificate's client assertion (.github/unbundled/jsonwebtoken)"
  )
}
