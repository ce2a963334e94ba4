/** mapWithConcurrency (src/concurrency.ts). */
import { describe, expect, test } from '@jest/globals'
import { mapWithConcurrency } from '../../src/concurrency.js'

describe('mapWithConcurrency', () => {
  test('keeps order and never has more than the limit in flight', async () => {
    let inFlight = 0
    let peak = 0
    const results = await mapWithConcurrency([5, 1, 4, 2, 3, 0], 2, async (n) => {
      inFlight++
      peak = Math.max(peak, inFlight)
      await new Promise((resolve) => setTimeout(resolve, n))
      inFlight--
      return n * 10
    })
    expect(results).toEqual([50, 10, 40, 20, 30, 0])
    expect(peak).toBe(2)
  })
})
