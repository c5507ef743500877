// What every capability builds on; its public part: the alarm topic, prop validation errors, retry props, the workflow
// interface and the context key of the account's concurrency. The rest of core/ is internal to the constructs.
export { AlarmTopic, type AlarmTopicProps } from './alarm-topic';
export { type TaskRetryProps } from './task-retries';
export { PropValidationError } from './validation';
export { ACCOUNT_CONCURRENCY_CONTEXT_KEY } from './reserved-concurrency';
export { isWorkflow, WorkflowBase, type IWorkflow } from './workflow';
