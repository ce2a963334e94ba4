import type { Cloud } from '../clouds.js'

/** The ways to sign in, in one list: the table of methods (methods.ts) is keyed by it. */
export const SignInMethodNames = ['oidc', 'service-principal', 'azure-cli', 'managed-identity'] as const
export type SignInMethod = (typeof SignInMethodNames)[number]

/** What each method needs, decided before any request: no field a method needs is optional. */
export type MethodPlan =
  | {
      readonly method: 'oidc'
      readonly clientId: string
      readonly tenantId: string
      /** Of the GitHub ID token. */
      readonly audience: string
      readonly cloud: Cloud
    }
  | {
      readonly method: 'service-principal'
      readonly clientId: string
      readonly tenantId: string
      readonly clientSecret: string
      readonly cloud: Cloud
    }
  | { readonly method: 'azure-cli'; readonly tenantId?: string; readonly cloud: Cloud }
  | { readonly method: 'managed-identity'; readonly clientId?: string; readonly cloud: Cloud }

export type PlanOf<M extends SignInMethod> = Extract<MethodPlan, { readonly method: M }>

export interface SignInPlan {
  /** Methods to try in order; the first that can sign in is used. */
  readonly attempts: readonly [MethodPlan, ...MethodPlan[]]
  /** Why `auth-type: auto` passed over the methods it did not pick, for the error when nothing works. */
  readonly passedOver: readonly string[]
  /** Why `auth-type: auto` picked its one method, for the log. */
  readonly chosenBecause?: string
}
