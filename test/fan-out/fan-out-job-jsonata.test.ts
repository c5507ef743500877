import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { FanOutJobWorkflow, FanOutJobWorkflowProps, JobSplitter, JobTable } from '../../lib';
import { LocalExecution } from '../../tools/local/local-runner';
import { stateMachineDefinition } from '../support/definition';
import { exampleAssembly } from '../support/example-app';
import { jsonataExampleAssembly, testJsonataExampleStack } from '../support/jsonata-example-app';
import { useLocalRunner } from '../support/use-local-runner';
import { expectValidationError } from '../support/validation-error';

// FanOutJobWorkflow with queryLanguage JSONATA: the job id, the poll count and the job's counts are workflow variables
// (Assign), so the JSONPath definition's Pass states that reshape the data (StartWaiting, JobOutcome, IncompleteOutcome,
// DescribeFailedItems, DescribeIncompleteJob) are gone; the poll loop, retries, IAM and the executions' ends are the same.
// Variables: https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html
// JSONata in Choice rules, Fail (Error, Cause) and Succeed (Output): https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html

const STACK = 'FanOutExample';
const jsonPath = stateMachineDefinition(exampleAssembly().template(STACK));
const definition = () => stateMachineDefinition(jsonataExampleAssembly().template(STACK));

describe('the seed 004 job workflow in JSONata', () => {
  testJsonataExampleStack(STACK);

  test('the states: the JSONPath ones less those that only reshaped the data', () => {
    expect(Object.keys(definition().States).sort()).toEqual([
      'AllItemsAccountedFor', 'AllItemsStored', 'CountPoll', 'JobIncomplete', 'JobItemsFailed', 'JobSucceeded', 'NoItems',
      'ReadJobRecord', 'SplitInlineJob', 'SplitStoredJob', 'WaitForWorkers', 'WhereAreTheItems',
    ]);
    expect(Object.keys(jsonPath.States).filter((name) => !(name in definition().States)).sort())
      .toEqual(['DescribeFailedItems', 'DescribeIncompleteJob', 'IncompleteOutcome', 'JobOutcome', 'StartWaiting']);
  });

  test('the same retries and timeouts on the split tasks and the job-record read as the JSONPath definition', () => {
    const d = definition();
    for (const name of ['SplitStoredJob', 'SplitInlineJob', 'ReadJobRecord']) {
      expect([name, d.States[name].Retry, d.States[name].TimeoutSeconds, d.States[name].Resource])
        .toEqual([name, jsonPath.States[name].Retry, jsonPath.States[name].TimeoutSeconds, jsonPath.States[name].Resource]);
    }
    expect(d.States.WaitForWorkers).toEqual(jsonPath.States.WaitForWorkers);
    expect(d.TimeoutSeconds).toBe(jsonPath.TimeoutSeconds);
  });

  test('routes by where the items are; each split sends the execution name as job id and assigns the job id and a poll count of 0', () => {
    const { States: states } = definition();
    expect(states.WhereAreTheItems).toEqual({
      Type: 'Choice',
      Choices: [
        { Condition: '{% $exists($states.input.itemsUri) %}', Next: 'SplitStoredJob' },
        { Condition: '{% $exists($states.input.items) %}', Next: 'SplitInlineJob' },
      ],
      Default: 'NoItems',
    });
    expect(states.NoItems).toEqual(jsonPath.States.NoItems);
    for (const [name, job] of [['SplitStoredJob', { itemsUri: '{% $states.input.itemsUri %}' }], ['SplitInlineJob', { items: '{% $states.input.items %}' }]] as const) {
      expect(states[name]).toMatchObject({
        Arguments: { FunctionName: expect.stringContaining('SplitterFunction'), Payload: { jobId: '{% $states.context.Execution.Name %}', ...job } },
        Output: '{% $states.result.Payload %}',
        Assign: { jobId: '{% $states.result.Payload.jobId %}', polls: 0 },
        Next: 'WaitForWorkers',
      });
    }
  });

  test('each poll reads the counts into variables; the loop counts its polls in a variable', () => {
    const { States: states } = definition();
    expect(states.ReadJobRecord).toMatchObject({
      Arguments: {
        Key: { jobId: { S: '{% $jobId %}' }, recordId: { S: 'job' } },
        ConsistentRead: true,
        ProjectionExpression: jsonPath.States.ReadJobRecord.Parameters.ProjectionExpression,
        ExpressionAttributeNames: jsonPath.States.ReadJobRecord.Parameters.ExpressionAttributeNames,
      },
      Assign: {
        counts: '{% { "jobId": $jobId, "items": $number($states.result.Item.items.N), "stored": $number($states.result.Item.stored.N), '
          + '"failed": $number($states.result.Item.failed.N), "deadLettered": $number($states.result.Item.deadLettered.N) } %}',
        completed: '{% $number($states.result.Item.completed.N) %}',
      },
      Next: 'AllItemsAccountedFor',
    });
    // 15 minutes, less the splitter's minute and one poll: 83 polls of 10 s at most, as in the JSONPath definition.
    expect(states.AllItemsAccountedFor).toEqual({
      Type: 'Choice',
      Choices: [
        { Condition: '{% $completed >= $counts.items %}', Next: 'AllItemsStored' },
        { Condition: '{% $polls >= 82 %}', Next: 'JobIncomplete' },
      ],
      Default: 'CountPoll',
    });
    expect(jsonPath.States.AllItemsAccountedFor.Choices[1].NumericGreaterThanEquals).toBe(82);
    expect(states.CountPoll).toEqual({ Type: 'Pass', Assign: { polls: '{% $polls + 1 %}' }, Next: 'WaitForWorkers' });
  });

  test('the job ends with its counts: as the output when every item is stored, else as the cause of JobItemsFailed or JobIncomplete', () => {
    const { States: states } = definition();
    expect(states.AllItemsStored).toEqual({
      Type: 'Choice',
      Choices: [{ Condition: '{% $counts.stored = $counts.items %}', Next: 'JobSucceeded' }],
      Default: 'JobItemsFailed',
    });
    expect(states.JobSucceeded).toEqual({ Type: 'Succeed', Output: '{% $counts %}' });
    expect(states.JobItemsFailed).toEqual({ Type: 'Fail', Error: 'JobItemsFailed', Cause: '{% $string($counts) %}' });
    expect(states.JobIncomplete).toEqual({ Type: 'Fail', Error: 'JobIncomplete', Cause: '{% $string($counts) %}' });
  });
});

/** A job workflow in `queryLanguage` around an inline splitter function (nothing to bundle), with `props`. */
function jobWorkflow(queryLanguage: sfn.QueryLanguage, props: Partial<FanOutJobWorkflowProps> = {}) {
  const stack = new Stack(new App(), 'Polls');
  const splitter = {
    function: new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('x') }),
    jobTable: new JobTable(stack, 'Jobs'),
  } as JobSplitter;
  new FanOutJobWorkflow(stack, 'RunJob', { splitter, queryLanguage, ...props });
  return stateMachineDefinition(Template.fromStack(stack));
}

test('pollInterval and maxWait set the poll bound in JSONata as in JSONPath', () => {
  const bound = (queryLanguage: sfn.QueryLanguage) => jobWorkflow(queryLanguage, { pollInterval: Duration.seconds(30), maxWait: Duration.minutes(5) })
    .States.AllItemsAccountedFor.Choices[1];
  expect(bound(sfn.QueryLanguage.JSONATA)).toEqual({ Condition: '{% $polls >= 9 %}', Next: 'JobIncomplete' });
  expect(bound(sfn.QueryLanguage.JSON_PATH)).toMatchObject({ NumericGreaterThanEquals: 9 });
});

test("validation: queryLanguage must be a value of sfn.QueryLanguage (JavaScript may pass the member's name)", () => {
  const error = expectValidationError(() => jobWorkflow('JSONATA' as sfn.QueryLanguage));
  expect(error.message).toBe("FanOutJobWorkflow 'Polls/RunJob': queryLanguage must be JSON_PATH ('JSONPath') or JSONATA ('JSONata') (got 'JSONATA')");
});

// As test/fan-out/fan-out-job-run.test.ts runs the JSONPath workflow, with the same jobs and expectations.
/** How an execution ended, as DescribeExecution reports it (the cause parsed). */
const ending = (execution: LocalExecution) => ({
  status: execution.status,
  output: execution.output,
  error: execution.error,
  cause: execution.cause === undefined ? undefined : JSON.parse(execution.cause),
});

describe('run locally with the workers running: the same ends as the JSONPath workflow', () => {
  const options = { stackName: STACK, visibilityTimeoutSeconds: 2, maxWaitSeconds: 0.2 };
  const items = Array.from({ length: 250 }, (_, i) => ({ word: `w${i}` }));
  let jsonPathEnding: ReturnType<typeof ending>;

  describe('JSONPath', () => {
    const runner = useLocalRunner(() => ({ ...options, assemblyDir: exampleAssembly().assemblyDir }));
    beforeAll(() => runner().startWorkers());

    test('250 items, all stored (the reference run)', async () => {
      jsonPathEnding = ending(await runner().execute({ stateMachine: 'RunJob', input: { items }, name: 'all-stored' }));
      expect(jsonPathEnding).toMatchObject({ status: 'SUCCEEDED' });
    });
  });

  describe('JSONata', () => {
    const runner = useLocalRunner(() => ({ ...options, assemblyDir: jsonataExampleAssembly().assemblyDir }));
    beforeAll(() => runner().startWorkers());

    test('250 items, all stored: SUCCEEDED with { jobId, items, stored, failed, deadLettered }, as the JSONPath run', async () => {
      const execution = ending(await runner().execute({ stateMachine: 'RunJob', input: { items }, name: 'all-stored' }));
      expect(execution).toEqual({ status: 'SUCCEEDED', output: { jobId: 'all-stored', items: 250, stored: 250, failed: 0, deadLettered: 0 }, error: undefined, cause: undefined });
      expect(execution).toEqual(jsonPathEnding);
    });

    test('1,000 items, every 20th invalid: FAILED JobItemsFailed with the exact counts as the cause', async () => {
      const job = Array.from({ length: 1000 }, (_, i) => (i % 20 === 0 ? { word: i } : { word: `w${i}` }));
      const execution = ending(await runner().execute({ stateMachine: 'RunJob', input: { items: job }, name: 'some-invalid' }));
      expect(execution).toEqual({
        status: 'FAILED', output: undefined, error: 'JobItemsFailed',
        cause: { jobId: 'some-invalid', items: 1000, stored: 950, failed: 50, deadLettered: 0 },
      });
    });

    test('neither items nor itemsUri: FAILED JobValidationError, as the splitter is never called', async () => {
      const execution = await runner().execute({ stateMachine: 'RunJob', input: { item: [] }, name: 'no-items' });
      expect(execution).toMatchObject({
        status: 'FAILED',
        error: 'JobValidationError',
        cause: 'The job input needs items (an array of work items) or itemsUri (s3://bucket/key of a JSON array).',
      });
      expect(execution.events.some((e) => 'state' in e && e.state.name.startsWith('Split'))).toBe(false);
    });
  });
});

describe('run locally with no worker running', () => {
  const runner = useLocalRunner(() => ({ assemblyDir: jsonataExampleAssembly().assemblyDir, stackName: STACK, maxWaitSeconds: 0.01 }));

  test('a job no worker accounts for ends FAILED JobIncomplete after maxWait (83 polls), with the counts so far', async () => {
    const items = Array.from({ length: 150 }, (_, i) => ({ word: `w${i}` }));
    const execution = await runner().execute({ stateMachine: 'RunJob', input: { items }, name: 'never-counted' });
    expect(ending(execution)).toEqual({
      status: 'FAILED', output: undefined, error: 'JobIncomplete',
      cause: { jobId: 'never-counted', items: 150, stored: 0, failed: 0, deadLettered: 0 },
    });
    const reads = execution.events.filter((e) => e.type === 'StateEntered' && e.state.name === 'ReadJobRecord');
    expect(reads).toHaveLength(83);
  });
});
