// The constructs: the package's main entry. Public constructs, their props, enums and errors, by name;
// the local run, trace and diagram are the './local' entry, handler helpers the './handlers' entry.

// Workflows
export { MapReduceWorkflow, type MapReduceWorkflowProps } from './workflow/map-reduce-workflow';
export { type TaskRetryProps } from './core/task-retries';
export { MapMode } from './workflow/map-reduce-settings';
export { ItemSource, type CsvFileOptions, type ItemFileOptions, type ObjectListingOptions } from './workflow/item-source';
export { MapResultsLocation } from './workflow/map-results';

// Fan-out
export { FanOut, type FanOutProps } from './fan-out/fan-out';
export { FanOutConsumer, type FanOutConsumerOptions, type FanOutConsumerProps } from './fan-out/fan-out-consumer';
export { JobSplitter, type JobSplitterProps } from './fan-out/job-splitter';
export { FanOutJobWorkflow, type FanOutJobWorkflowProps } from './fan-out/fan-out-job-workflow';

// Storage
export { ResultTable, type ResultTableProps } from './storage/result-table';
export { IdempotencyTable, type IdempotencyTableProps } from './storage/idempotency-table';
export { JobTable, type JobTableProps } from './storage/job-table';

// Triggers
export { ScheduleService, ScheduleTrigger, type ScheduleTriggerProps } from './triggers/schedule-trigger';
export { ApiTrigger, type ApiTriggerAuthorization, type ApiTriggerProps } from './triggers/api-trigger';

// Warm capacity
export { LambdaWarmer, type LambdaWarmerProps, type WarmTarget, type WarmWindow } from './warm/lambda-warmer';
export {
  ProvisionedConcurrency,
  type ProvisionedConcurrencyProps,
  type ProvisionedConcurrencyScaling,
  type ProvisionedConcurrencySchedule,
} from './warm/provisioned-concurrency';
export { SnapStartAlias, type SnapStartAliasProps } from './warm/snap-start';

// Monitoring and alarms
export { AlarmTopic, type AlarmTopicProps } from './core/alarm-topic';
export {
  PipelineMonitoring,
  type AlarmTiming,
  type ApiAlarmThresholds,
  type ApiMonitoringOptions,
  type FanOutMonitoringOptions,
  type FunctionAlarmThresholds,
  type FunctionMonitoringOptions,
  type MonitoredWorkflow,
  type MonitoringDefaults,
  type MonitorOptions,
  type PipelineMonitoringProps,
  type QueueAlarmThresholds,
  type QueueMonitoringOptions,
  type ScheduleMonitoringOptions,
  type WarmerMonitoringOptions,
  type WorkflowAlarmThresholds,
  type WorkflowMonitoringOptions,
} from './monitoring';

// Errors
export { PropValidationError } from './core/validation';

// Context keys the constructs read
export { ACCOUNT_CONCURRENCY_CONTEXT_KEY } from './core/reserved-concurrency';

// What the workflows share
export { isWorkflow, WorkflowBase, type IWorkflow } from './core/workflow';
