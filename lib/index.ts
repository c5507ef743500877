export * from './workflow/map-reduce-workflow';
export * from './fan-out/fan-out';
export * from './fan-out/fan-out-consumer';
export * from './fan-out/job-splitter';
export * from './storage/result-table';
export * from './storage/idempotency-table';
export * from './monitoring/alarm-topic';
export { PropValidationError } from './internal/validation';
export * from './triggers/schedule-trigger';
