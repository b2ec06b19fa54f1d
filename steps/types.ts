/** The step and stage contract, re-exported for the stage modules; code outside steps/ imports source/core. */
export type {Text} from '../source/core/text.ts';
export type {Action, Facts, PlanContext, RetryPolicy, Scope, Step, StepContext} from '../source/core/step.ts';
export {StepError} from '../source/core/step.ts';
export type {PortClaim, Stage, StageNeeds} from '../source/core/stage.ts';
export type {HealthContext, HealthDraft, HealthProbe} from '../source/core/health.ts';
export type {Dict, Reader, SectionContext, SectionReader} from '../source/core/section.ts';
export type {Progress, ProgressReader} from '../source/core/progress.ts';
