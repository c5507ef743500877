export * from './workflow/map-reduce-workflow';
export * from './storage/result-table';
export { PropValidationError } from './internal/validation';
