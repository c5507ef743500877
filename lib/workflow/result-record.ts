// The record a MapReduceWorkflow keeps of each execution in its result table: the reduce's output, or the error.
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { isJsonata, jsonata } from '../core/jsonata';
import { DYNAMODB_TRANSIENT_ERRORS } from '../core/task-retries';
import { ResultTable } from '../storage/result-table';

/** What a record is written from, as each query language selects it. */
interface RecordValues {
  readonly executionId: string;
  readonly enteredTime: string;
  /** The state input as JSON text. */
  readonly inputText: string;
  /** A string field of the state input. */
  inputField(name: string): string;
}

function recordValues(queryLanguage: sfn.QueryLanguage): RecordValues {
  return isJsonata(queryLanguage)
    ? {
      executionId: jsonata('$states.context.Execution.Id'),
      enteredTime: jsonata('$states.context.State.EnteredTime'),
      inputText: jsonata('$string($states.input)'),
      inputField: (name) => jsonata(`$states.input.${name}`),
    }
    : {
      executionId: sfn.JsonPath.executionId,
      enteredTime: sfn.JsonPath.stateEnteredTime,
      inputText: sfn.JsonPath.jsonToString(sfn.JsonPath.entirePayload),
      inputField: (name) => sfn.JsonPath.stringAt(`$.${name}`),
    };
}

/**
 * A direct DynamoDB PutItem of this execution's record: key = execution id,
 * `status`, the given fields and `completedAt`. The PutItem response is
 * discarded (its output is its input), so the state after it sees what this
 * state saw (the reduce result, or the caught error the Fail state reports).
 */
function putExecutionRecord(
  scope: Construct,
  stateName: string,
  table: ResultTable,
  retry: sfn.RetryProps,
  status: 'SUCCEEDED' | 'FAILED',
  queryLanguage: sfn.QueryLanguage,
  fieldsOf: (values: RecordValues) => Record<string, string>,
): sfn.TaskStateBase {
  const values = recordValues(queryLanguage);
  const fields = fieldsOf(values);
  const attribute = tasks.DynamoAttributeValue.fromString;
  const put = {
    stateName,
    table: table.table,
    item: {
      [table.partitionKeyName]: attribute(values.executionId),
      status: attribute(status),
      ...Object.fromEntries(Object.entries(fields).map(([name, value]) => [name, attribute(value)])),
      completedAt: attribute(values.enteredTime),
    },
  };
  const task = isJsonata(queryLanguage)
    ? tasks.DynamoPutItem.jsonata(scope, stateName, { ...put, outputs: jsonata('$states.input') })
    : new tasks.DynamoPutItem(scope, stateName, { ...put, resultPath: sfn.JsonPath.DISCARD });
  return task.addRetry({ ...retry, errors: DYNAMODB_TRANSIENT_ERRORS });
}

/** Writes the reduce's output as SUCCEEDED; a failed write goes to `onError` like any other error. */
export function storeResult(
  scope: Construct, table: ResultTable, retry: sfn.RetryProps, onError: sfn.IChainable, queryLanguage: sfn.QueryLanguage,
): sfn.TaskStateBase {
  return putExecutionRecord(scope, 'StoreResult', table, retry, 'SUCCEEDED', queryLanguage, (values) => ({ output: values.inputText }))
    .addCatch(onError, { errors: [sfn.Errors.ALL] });
}

/** Writes the caught error to the table so failed runs are as visible as successful ones. */
export function recordFailure(scope: Construct, table: ResultTable, retry: sfn.RetryProps, queryLanguage: sfn.QueryLanguage): sfn.TaskStateBase {
  return putExecutionRecord(scope, 'RecordFailure', table, retry, 'FAILED', queryLanguage, (values) => ({
    error: values.inputField('Error'),
    cause: values.inputField('Cause'),
  }));
}
