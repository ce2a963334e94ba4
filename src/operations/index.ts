import type { Operation } from '../constants.js'
import { del, type DeleteInputs, type DeleteOutcome } from './delete.js'
import { get, type GetInputs, type GetOutcome } from './get/index.js'
import { list, type ListInputs, type ListOutcome } from './list.js'
import type { CommonInputs, OperationModule } from './module.js'
import { purge, type PurgeInputs, type PurgeOutcome } from './purge.js'
import { recover, type RecoverInputs, type RecoverOutcome } from './recover.js'
import { set, type SetInputs, type SetOutcome } from './set.js'

/** Each operation's own inputs and outcome: the keys are the operations (a missing one is a compile error). */
interface ByOperation {
  get: { inputs: GetInputs; outcome: GetOutcome }
  set: { inputs: SetInputs; outcome: SetOutcome }
  delete: { inputs: DeleteInputs; outcome: DeleteOutcome }
  recover: { inputs: RecoverInputs; outcome: RecoverOutcome }
  purge: { inputs: PurgeInputs; outcome: PurgeOutcome }
  list: { inputs: ListInputs; outcome: ListOutcome }
}

export type OwnInputs<K extends Operation> = ByOperation[K]['inputs']
export type OutcomeOf<K extends Operation> = ByOperation[K]['outcome']
export type Module<K extends Operation> = OperationModule<OwnInputs<K>, OutcomeOf<K>>

/** Every operation's module. */
export const OperationModules: { readonly [K in Operation]: Module<K> } = {
  get,
  set,
  delete: del,
  recover,
  purge,
  list
}

/** The inputs of one run: the common ones and the operation's own, told apart by `operation`. */
export type InputsOf<K extends Operation> = { readonly operation: K } & CommonInputs & OwnInputs<K>
export type ActionInputs = { [K in Operation]: InputsOf<K> }[Operation]

/** What the operation did, for outputs and the summary. */
export type Outcome = { [K in Operation]: OutcomeOf<K> }[Operation]

export type { CommonInputs } from './module.js'
