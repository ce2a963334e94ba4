/**
 * End-to-end property (fast-check), debug mode (step debug on, the Azure SDK logging everything):
 * the same values as properties.test.ts round-trip and never show (see
 * __tests__/support/round-trips.ts).
 */
import { describeRoundTrips } from '../support/round-trips.js'

describeRoundTrips('debug')
