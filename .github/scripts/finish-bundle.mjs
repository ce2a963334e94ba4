// After `ncc build --minify`: ncc minifies dist/index.js only, not the chunks its dynamic imports
// become (the operations, the GitHub client, files, JSON, ...). Minify those too, and drop the
// xdg-open helper that @azure/identity's browser sign-in would use (never this action's). The post
// step's own build (dist/post/index.js, no chunks, no third-party code) becomes dist/post.js, as
// action.yml names it. Deterministic, so `dist/` still matches a fresh build byte for byte.
import { readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { minify } from 'terser'

const dist = new URL('../../dist/', import.meta.url).pathname
rmSync(join(dist, 'xdg-open'), { force: true })
const post = join(dist, 'post')
const postFiles = readdirSync(post).filter((file) => file !== 'package.json')
if (postFiles.join() !== 'index.js')
  throw new Error(`the post step's build should be one file, not ${postFiles.join(', ')}`)
renameSync(join(post, 'index.js'), join(dist, 'post.js'))
rmSync(post, { recursive: true })
for (const name of readdirSync(dist).filter((file) => /^\d+\.index\.js$/.test(file))) {
  const path = join(dist, name)
  const { code } = await minify(readFileSync(path, 'utf8'), { module: true, compress: true, mangle: true })
  if (code === undefined) throw new Error(`terser returned nothing for ${name}`)
  writeFileSync(path, code)
}
