// Storage: the DynamoDB tables of results, idempotency records and job records.
export { ResultTable, type ResultTableProps } from './result-table';
export { IdempotencyTable, type IdempotencyTableProps } from './idempotency-table';
export { JobTable, type JobTableProps } from './job-table';
