// Workflows: MapReduceWorkflow (inline or distributed map, then reduce) and what configures its items and results.
export { MapReduceWorkflow, type MapReduceWorkflowProps } from './map-reduce-workflow';
export { MapMode } from './map-reduce-settings';
export { ItemSource, type CsvFileOptions, type ItemFileOptions, type ObjectListingOptions } from './item-source';
export { MapResultsLocation } from './map-results';
