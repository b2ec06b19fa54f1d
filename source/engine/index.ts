/** The step engine: what the wizard and the commands import. */
export {runPipeline} from './pipeline.ts';
export {selectStages, stepParticipants, planStages, hostNode} from './participants.ts';
export {RunStore} from './store.ts';
export type {ErrorDetail, LineStream, NodeKey, NodeView, OutputLine, RunSnapshot, RunStatus, StagePlan, StageView, StepView, StoreOptions, TaskStatus} from './store.ts';
export {StoreRenderer, TaskRegistry} from './store-renderer.ts';
export {StateFile, emptyState, readState, resumePoint, summarizeStages} from './state.ts';
export type {NodeRecordStatus, NodeStageRecord, RunRecord, StageSummary, StateData} from './state.ts';
export {Masker, maskedText} from './mask.ts';
export {displayCommand, displayUpload} from './logging-remote.ts';
export {stageFingerprint} from './fingerprint.ts';
export {defaultRetry, withNodePrefix} from './types.ts';
export type {RetryPolicy} from '../core/step.ts';
export type {FailureDecision, FailureInfo, NodeFailure, PipelineResult, RendererKind, RunOptions, StageDecision, StageOutcome, StageResult, StageStartInfo} from './types.ts';
