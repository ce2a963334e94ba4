import * as core from '@actions/core'
import { Outputs } from '../constants.js'
import { secretFileOf, writeSecretFiles } from '../files.js'
import type { Publication } from './publication.js'

/** What applying a publication adds: `files` entry -> absolute path written. */
export interface Applied {
  readonly filePaths: Readonly<Record<string, string>>
}

/**
 * The one place that writes what later steps receive, in the order that keeps values out of
 * every log: masks first, then files (all or none), warnings, outputs, variables.
 */
export function applyPublication(publication: Publication): Applied {
  for (const mask of publication.masks) core.setSecret(mask)
  const paths = publication.files.length > 0 ? writeSecretFiles(publication.files.map(secretFileOf)) : []
  const filePaths = Object.fromEntries(publication.files.map((file, index) => [file.entry.text, paths[index] ?? '']))
  for (const warning of publication.warnings) core.warning(warning)
  for (const [name, value] of Object.entries(publication.outputs)) core.setOutput(name, value)
  if (publication.files.length > 0) core.setOutput(Outputs.Files, JSON.stringify(filePaths))
  for (const [name, value] of Object.entries(publication.env)) core.exportVariable(name, value)
  return { filePaths }
}
