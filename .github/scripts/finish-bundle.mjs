// After `ncc build --minify`: ncc minifies dist/index.js only, not the chunks its dynamic imports
// become (the GitHub client, tag provenance). Minify those too, and drop the xdg-open helper that
// @azure/identity's browser sign-in would use (never this action's). Deterministic, so `dist/`
// still matches a fresh build byte for byte.
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { minify } from 'terser'

const dist = new URL('../../dist/', import.meta.url).pathname
rmSync(join(dist, 'xdg-open'), { force: true })
for (const name of readdirSync(dist).filter((file) => /^\d+\.index\.js$/.test(file))) {
  const path = join(dist, name)
  const { code } = await minify(readFileSync(path, 'utf8'), { module: true, compress: true, mangle: true })
  if (code === undefined) throw new Error(`terser returned nothing for ${name}`)
  writeFileSync(path, code)
}
