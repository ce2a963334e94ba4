import * as core from '@actions/core'
import { Outputs } from '../constants.js'
import { secretFileOf, writeSecretFiles } from '../files.js'
import type { Publication } from './publication.js'

/** What applying a publication adds: where its files went. */
export interface Applied {
  /** `files` entry -> absolute path written. */
  readonly filePaths: Readonly<Record<string, string>>
  /** `env-file`: the absolute path written. */
  readonly envFilePath?: string
}

/**
 * The one place that writes what later steps receive, in the order that keeps values out of
 * every log: masks first, then files (all or none), warnings, outputs, variables.
 */
export function applyPublication(publication: Publication): Applied {
  for (const mask of publication.masks) core.setSecret(mask)
  const applied = writeFiles(publication)
  for (const warning of publication.warnings) core.warning(warning)
  for (const [name, value] of Object.entries(publication.outputs)) core.setOutput(name, value)
  if (publication.files.length > 0) core.setOutput(Outputs.Files, JSON.stringify(applied.filePaths))
  if (applied.envFilePath !== undefined) core.setOutput(Outputs.EnvFile, applied.envFilePath)
  for (const [name, value] of Object.entries(publication.env)) core.exportVariable(name, value)
  return applied
}

/** The `files` entries and the env file in one write, so they are created all or none. */
function writeFiles({ files, envFile }: Publication): Applied {
  const secretFiles = files.map(secretFileOf)
  const all = envFile ? [...secretFiles, envFile] : secretFiles
  const paths = all.length > 0 ? writeSecretFiles(all) : []
  return {
    filePaths: Object.fromEntries(files.map((file, index) => [file.entry.text, paths[index] ?? ''])),
    ...(envFile && { envFilePath: paths[files.length] })
  }
}
