/**
 * End-to-end property (fast-check), normal mode: random secret values round-trip exactly through
 * `set` and `get` and never show in the log (see __tests__/support/round-trips.ts; debug mode:
 * properties-debug.test.ts).
 */
import { describeRoundTrips } from '../support/round-trips.js'

describeRoundTrips('normal')
