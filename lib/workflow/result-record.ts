// The record a MapReduceWorkflow keeps of each execution in its result table: the reduce's output, or the error.
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { DYNAMODB_TRANSIENT_ERRORS } from '../core/task-retries';
import { ResultTable } from '../storage/result-table';

/**
 * A direct DynamoDB PutItem of this execution's record: key = execution id,
 * `status`, the given fields and `completedAt`. The PutItem response is
 * discarded, so the state after it sees what this state saw (the reduce result,
 * or the caught error the Fail state reports).
 */
function putExecutionRecord(
  scope: Construct,
  stateName: string,
  table: ResultTable,
  retry: sfn.RetryProps,
  status: 'SUCCEEDED' | 'FAILED',
  fields: Record<string, string>,
): sfn.TaskStateBase {
  const attribute = tasks.DynamoAttributeValue.fromString;
  return new tasks.DynamoPutItem(scope, stateName, {
    stateName,
    table: table.table,
    item: {
      [table.partitionKeyName]: attribute(sfn.JsonPath.executionId),
      status: attribute(status),
      ...Object.fromEntries(Object.entries(fields).map(([name, value]) => [name, attribute(value)])),
      completedAt: attribute(sfn.JsonPath.stateEnteredTime),
    },
    resultPath: sfn.JsonPath.DISCARD,
  }).addRetry({ ...retry, errors: DYNAMODB_TRANSIENT_ERRORS });
}

/** Writes the reduce's output as SUCCEEDED; a failed write goes to `onError` like any other error. */
export function storeResult(scope: Construct, table: ResultTable, retry: sfn.RetryProps, onError: sfn.IChainable): sfn.TaskStateBase {
  return putExecutionRecord(scope, 'StoreResult', table, retry, 'SUCCEEDED', {
    output: sfn.JsonPath.jsonToString(sfn.JsonPath.entirePayload),
  }).addCatch(onError, { errors: [sfn.Errors.ALL] });
}

/** Writes the caught error to the table so failed runs are as visible as successful ones. */
export function recordFailure(scope: Construct, table: ResultTable, retry: sfn.RetryProps): sfn.TaskStateBase {
  return putExecutionRecord(scope, 'RecordFailure', table, retry, 'FAILED', {
    error: sfn.JsonPath.stringAt('$.Error'),
    cause: sfn.JsonPath.stringAt('$.Cause'),
  });
}
