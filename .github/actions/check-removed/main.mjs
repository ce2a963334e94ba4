// Main step: only says what the post step will check.
const paths = (process.env.INPUT_PATHS ?? '').split(/\r?\n/).filter((line) => line.trim() !== '')
console.log(`At the end of the job, these must be gone:\n${paths.map((p) => `  ${p}`).join('\n')}`)
