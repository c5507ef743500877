// The local run's programmatic API, the package's './local' entry: kept out of the constructs' entry so deploying them needs none of the emulators.
export * from '../assembly/cloud-assembly';
export * from './dead-letters';
export { InvalidDefinitionError, UnsupportedDefinitionError } from './definition-support';
export * from './distributed-map';
export * from './history-events';
export * from '../assembly/intrinsics';
export * from './job-accounting';
export * from '../assembly/stack-imports';
export * from '../assembly/synthesize';
export * from './local-dynamodb';
export * from './local-lambda';
export * from './local-runner';
export * from './local-step-functions';
export * from './query-language';
export * from './schedules';
export { putObject } from './local-sns-sqs';
export * from './task-integrations';
export type { RecordedEvent } from './event-integrations';
