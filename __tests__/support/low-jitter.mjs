/**
 * Preload (`node --import`) for end-to-end runs whose point is that a retry happens, not how long
 * its wait is: every Math.random() draw in the child lands in [0.05, 0.06). The action's backoff
 * draws each wait uniformly from [0, cap) (full jitter, src/vault/retries.ts; the SDK's own retries
 * of a sign-in add a jitter the same way), so each wait becomes about a twentieth of its cap: a
 * real, non-zero backoff, as short as a lucky run of the real one, where a test would otherwise
 * wait out seconds of it. Nothing in the action is changed or asked: the draws are ones the real
 * Math.random can give. Draws still differ from each other (random ids stay unique).
 *
 * How long each wait is, and its bounds, are unit-tested with an injected random draw
 * (__tests__/unit/retries.test.ts). Used through runAction's `lowJitter` option (runner.ts).
 */
const draw = Math.random
Math.random = () => 0.05 + draw() * 0.01
