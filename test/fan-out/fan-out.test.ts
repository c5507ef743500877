import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AlarmTopic, FanOut, FanOutConsumerOptions, FanOutProps, JobSplitter, JobTable } from '../../lib';
import { expectValidationError } from '../support/validation-error';

const inlineWorker = (stack: Stack, props: Partial<lambda.FunctionProps> = {}) => new lambda.Function(stack, 'Worker', {
  runtime: lambda.Runtime.NODEJS_24_X,
  handler: 'index.handler',
  code: lambda.Code.fromInline('exports.handler = async () => ({ batchItemFailures: [] });'),
  timeout: Duration.seconds(10),
  ...props,
});

/** The error message of a FanOut with one consumer `Words` built from `consumer` (an inline worker unless it names one). */
function messageOf(consumer: Partial<FanOutConsumerOptions>, fanOut: Partial<FanOutProps> = {}, workerProps?: Partial<lambda.FunctionProps>): string {
  const stack = new Stack(new App(), 'Test');
  const worker = consumer.entry ? {} : { function: inlineWorker(stack, workerProps) };
  return expectValidationError(() => new FanOut(stack, 'Work', { consumers: { Words: { ...worker, ...consumer } }, ...fanOut })).message;
}

describe('FanOut validation: one test per rule', () => {
  test('at least one consumer', () => {
    expect(() => new FanOut(new Stack(), 'Work', { consumers: {} })).toThrow("FanOut 'Default/Work': consumers must name at least one consumer (got none)");
  });
  test('alarm topic or alarm e-mail, not both', () => {
    const stack = new Stack();
    expect(() => new FanOut(stack, 'Work', { consumers: {}, alarmTopic: new AlarmTopic(stack, 'A'), alarmEmail: 'a@example.com' }))
      .toThrow('give either alarmTopic or alarmEmail, not both');
  });
  test('the alarm e-mail is an address', () => {
    expect(messageOf({}, { alarmEmail: 'not-an-address' })).toBe("AlarmTopic 'Test/Work/Alarms': email must be an e-mail address (got 'not-an-address')");
  });
});

describe('FanOutConsumer validation: one test per rule, naming the props', () => {
  test('worker: neither function nor entry', () => {
    const stack = new Stack();
    expect(() => new FanOut(stack, 'Work', { consumers: { Words: {} } }))
      .toThrow("FanOutConsumer 'Default/Work/Words': one of function or entry is required (got neither)");
  });
  test('worker: both function and entry', () => {
    expect(messageOf({ entry: 'examples/handlers/process-chunk/index.ts', function: inlineWorker(new Stack()) }))
      .toBe("FanOutConsumer 'Test/Work/Words': give either function or entry, not both");
  });
  test('worker: an entry file that exists', () => {
    expect(messageOf({ entry: 'handlers/nope.ts' }))
      .toBe("FanOutConsumer 'Test/Work/Words': entry must be an existing file (got 'handlers/nope.ts')");
  });
  test('visibility timeout at least 6 × the worker timeout', () => {
    expect(messageOf({ visibilityTimeout: Duration.seconds(30) })).toBe(
      "FanOutConsumer 'Test/Work/Words': visibilityTimeout must be at least 6 × the worker timeout, 60 seconds (got 30 seconds); "
      + 'a shorter one lets a message become visible again while a throttled or slow batch still holds it',
    );
  });
  test('the default visibility timeout is derived as 6 × the worker timeout', () => {
    const stack = new Stack(new App(), 'Derived');
    const fanOut = new FanOut(stack, 'Work', { consumers: { Words: { function: inlineWorker(stack) } } });
    expect(stack.resolve((fanOut.consumers.Words.queue.node.defaultChild as any).visibilityTimeout)).toBe(60);
  });
  test('maxConcurrency within the reserved concurrency of a worker passed in', () => {
    expect(messageOf({ maxConcurrency: 5 }, {}, { reservedConcurrentExecutions: 2 })).toBe(
      "FanOutConsumer 'Test/Work/Words': maxConcurrency must not exceed the worker's reserved concurrency (got 5 > 2); "
      + 'the poller would receive messages no instance can take, and they would return only after the visibility timeout',
    );
  });
  test('maxConcurrency within the reserved concurrency of a built worker', () => {
    expect(messageOf({ entry: 'examples/handlers/process-chunk/index.ts', reservedConcurrency: 3, maxConcurrency: 4 }))
      .toContain('maxConcurrency must not exceed the worker\'s reserved concurrency (got 4 > 3)');
  });
  test('reservedConcurrency only for a built worker', () => {
    expect(messageOf({ reservedConcurrency: 5 })).toBe(
      "FanOutConsumer 'Test/Work/Words': reservedConcurrency applies to a worker built from entry; set it on the function itself");
  });
  test('reservedConcurrency 1..1000 (0 would send every message to the dead-letter queue)', () => {
    expect(messageOf({ entry: 'examples/handlers/process-chunk/index.ts', reservedConcurrency: 0 }))
      .toBe("FanOutConsumer 'Test/Work/Words': reservedConcurrency must be an integer 1..1000 (got 0)");
  });
  test("maxConcurrency defaults to the worker's reserved concurrency, so the poller never outruns it", () => {
    const stack = new Stack(new App(), 'Reserved');
    new FanOut(stack, 'Work', { consumers: { Words: { function: inlineWorker(stack, { reservedConcurrentExecutions: 7 }) } } });
    new FanOut(stack, 'Other', { consumers: { Unbounded: { function: new lambda.Function(stack, 'Unreserved', {
      runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=async()=>({})'),
    }) } } });
    const mappings = Object.values<any>(Template.fromStack(stack).findResources('AWS::Lambda::EventSourceMapping'));
    expect(mappings.map((m) => m.Properties.ScalingConfig)).toEqual([{ MaximumConcurrency: 7 }, undefined]);
  });
  test('batchSize and maxConcurrency are whole numbers', () => {
    expect(messageOf({ batchSize: 2.5 })).toBe("FanOutConsumer 'Test/Work/Words': batchSize must be a whole number (got 2.5)");
    expect(messageOf({ maxConcurrency: 2.5 })).toContain('maxConcurrency must be a whole number (got 2.5)');
  });
  test("the event source's own rules are aws-cdk-lib's SqsEventSource's, which still stops the synth", () => {
    const building = (consumer: Partial<FanOutConsumerOptions>, fanOut: Partial<FanOutProps> = {}) => () => {
      const stack = new Stack(new App(), 'Test');
      new FanOut(stack, 'Work', { consumers: { Words: { function: inlineWorker(stack), ...consumer } }, ...fanOut });
    };
    expect(building({ batchSize: 50 })).toThrow('Maximum batch size must be between 1 and 10 inclusive (given 50) when batching window is not specified.');
    expect(building({ batchSize: 50, maxBatchingWindow: Duration.seconds(5) })).not.toThrow();
    expect(building({ batchSize: 11 }, { fifo: true })).toThrow('Maximum batch size must be between 1 and 10 inclusive (given 11)');
    expect(building({ maxBatchingWindow: Duration.seconds(1) }, { fifo: true })).toThrow('Batching window is not supported for FIFO queues');
    expect(building({ maxConcurrency: 1 })).toThrow('maxConcurrency must be between 2 and 1000 concurrent instances');
  });
  test('batching window at most 5 minutes', () => {
    expect(messageOf({ batchSize: 100, maxBatchingWindow: Duration.minutes(6) })).toBe("FanOutConsumer 'Test/Work/Words': maxBatchingWindow must be between 0 seconds and 5 minutes (got 6 minutes)");
  });
  test('maxReceiveCount 1..1000', () => {
    expect(messageOf({ maxReceiveCount: 0 })).toBe("FanOutConsumer 'Test/Work/Words': maxReceiveCount must be an integer 1..1000 (got 0)");
  });
  test('source retention shorter than the dead-letter queue\'s 14 days', () => {
    expect(messageOf({}, { retentionPeriod: Duration.days(14) })).toBe(
      "FanOutConsumer 'Test/Work/Words': retentionPeriod must be shorter than the dead-letter queue's 14 days, or messages could expire there before anyone reads them (got 14 days)",
    );
  });
  test('worker timeout 1 s..15 min', () => {
    expect(messageOf({ entry: 'examples/handlers/process-chunk/index.ts', timeout: Duration.minutes(20) }))
      .toContain('timeout must be between 1 second and 15 minutes (got 20 minutes)');
  });
});

test('FIFO: topic and queues are FIFO with content-based de-duplication', () => {
  const stack = new Stack(new App(), 'Fifo');
  const fanOut = new FanOut(stack, 'Work', { fifo: true, consumers: { Words: { function: inlineWorker(stack) } } });
  const topic = stack.resolve((fanOut.topic.node.defaultChild as any)._cfnProperties);
  expect(topic).toMatchObject({ fifoTopic: true, contentBasedDeduplication: true });
  expect(stack.resolve((fanOut.consumers.Words.queue.node.defaultChild as any).fifoQueue)).toBe(true);
  expect(stack.resolve((fanOut.consumers.Words.deadLetterQueue.node.defaultChild as any).fifoQueue)).toBe(true);
});

test('JobSplitter: chunkSize 1..10000', () => {
  const stack = new Stack(new App(), 'Split');
  const fanOut = new FanOut(stack, 'Work', { consumers: { Words: { function: inlineWorker(stack) } } });
  expect(() => new JobSplitter(stack, 'Splitter', { fanOut, chunkSize: 0 })).toThrow("JobSplitter 'Split/Splitter': chunkSize must be an integer 1..10000 (got 0)");
});

test('JobSplitter: a entry file that exists', () => {
  const stack = new Stack(new App(), 'Split');
  const fanOut = new FanOut(stack, 'Work', { consumers: { Words: { function: inlineWorker(stack) } } });
  expect(() => new JobSplitter(stack, 'Splitter', { fanOut, entry: 'handlers/nope.ts' }))
    .toThrow("JobSplitter 'Split/Splitter': entry must be an existing file (got 'handlers/nope.ts')");
});

test('JobSplitter: reservedConcurrency 1..1000', () => {
  const stack = new Stack(new App(), 'Split');
  const fanOut = new FanOut(stack, 'Work', { consumers: { Words: { function: inlineWorker(stack) } } });
  expect(() => new JobSplitter(stack, 'Splitter', { fanOut, reservedConcurrency: 0 }))
    .toThrow("JobSplitter 'Split/Splitter': reservedConcurrency must be an integer 1..1000 (got 0)");
});

test('JobSplitter with an imported items bucket: s3:GetObject on its objects; the finding is left to the bucket\'s owner to acknowledge', () => {
  const stack = new Stack(new App(), 'Imported');
  const fanOut = new FanOut(stack, 'Work', { consumers: { Words: { function: inlineWorker(stack) } } });
  new JobSplitter(stack, 'Splitter', { fanOut, itemsBucket: s3.Bucket.fromBucketName(stack, 'Jobs', 'company-jobs') });
  Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
    PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({
      Action: 's3:GetObject',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::company-jobs/*']] },
    })]) },
  });
});

test('a consumer filter policy is set on its subscription', () => {
  const stack = new Stack(new App(), 'Filtered');
  new FanOut(stack, 'Work', {
    consumers: { Urgent: { function: inlineWorker(stack), filterPolicy: { priority: sns.SubscriptionFilter.stringFilter({ allowlist: ['high'] }) } } },
  });
  Template.fromStack(stack).hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'sqs', FilterPolicy: { priority: ['high'] }, RawMessageDelivery: true });
});

test('JobSplitter with an items bucket may read it, and only it', () => {
  const stack = new Stack(new App(), 'ByReference');
  const fanOut = new FanOut(stack, 'Work', { consumers: { Words: { function: inlineWorker(stack) } } });
  const bucket = new s3.Bucket(stack, 'Jobs');
  const splitter = new JobSplitter(stack, 'Splitter', { fanOut, itemsBucket: bucket });
  const policy = Object.values<any>(Template.fromStack(stack).findResources('AWS::IAM::Policy', {
    Properties: { Roles: [{ Ref: stack.getLogicalId(splitter.function.role!.node.defaultChild as any) }] },
  }))[0];
  const s3Statement = policy.Properties.PolicyDocument.Statement.find((st: any) => JSON.stringify(st.Action).includes('s3:GetObject'));
  expect(JSON.stringify(s3Statement.Resource)).toContain(stack.getLogicalId(bucket.node.defaultChild as any));
  // Reserved concurrency 2 by default: two jobs split at once.
  expect(stack.resolve((splitter.function.node.defaultChild as lambda.CfnFunction).reservedConcurrentExecutions)).toBe(2);
});

test('JobSplitter: an itemSchema that is not a valid JSON Schema is refused at synth, naming the prop', () => {
  const stack = new Stack(new App(), 'Split');
  const fanOut = new FanOut(stack, 'Work', { consumers: { Words: { function: inlineWorker(stack) } } });
  expect(() => new JobSplitter(stack, 'Splitter', { fanOut, itemSchema: { type: 'strnig' } }))
    .toThrow("JobSplitter 'Split/Splitter': itemSchema is not a valid JSON Schema (draft-07): schema is invalid: data/type must be equal to one of the allowed values");
  expect(() => new JobSplitter(stack, 'Big', { fanOut, itemSchema: { description: 'x'.repeat(4000) } }))
    .toThrow("JobSplitter 'Split/Big': itemSchema must be at most 3072 bytes as JSON (got 4018)");
});

test('JobSplitter: the item schema and the job table reach the splitter through its environment', () => {
  const stack = new Stack(new App(), 'Split');
  const fanOut = new FanOut(stack, 'Work', { consumers: { Words: { function: inlineWorker(stack) } } });
  const itemSchema = { type: 'object', required: ['word'] };
  new JobSplitter(stack, 'Splitter', { fanOut, itemSchema });
  Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
    Environment: { Variables: Match.objectLike({ ITEM_SCHEMA: JSON.stringify(itemSchema), JOB_TABLE_NAME: { Ref: Match.stringLikeRegexp('^WorkJobsTable') } }) },
  });
});

test('FanOut: a job table passed in is used by every consumer; an imported worker gets the grant, its environment is its own', () => {
  const stack = new Stack(new App(), 'Jobs');
  const jobTable = new JobTable(stack, 'SharedJobs');
  const imported = lambda.Function.fromFunctionAttributes(stack, 'Imported', {
    functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:imported',
    role: new iam.Role(stack, 'ImportedRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }),
    sameEnvironment: true,
  });
  const fanOut = new FanOut(stack, 'Work', { jobTable, consumers: { Words: { function: inlineWorker(stack) }, Other: { function: imported } } });
  expect(fanOut.jobTable).toBe(jobTable);
  const template = Template.fromStack(stack);
  expect(Object.keys(template.findResources('AWS::DynamoDB::GlobalTable'))).toEqual([expect.stringMatching(/^SharedJobsTable/)]);
  template.hasResourceProperties('AWS::IAM::Policy', {
    Roles: [{ Ref: Match.stringLikeRegexp('^ImportedRole') }],
    PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem'] })]) },
  });
  template.hasResourceProperties('AWS::Lambda::Function', {
    Environment: { Variables: { JOB_TABLE_NAME: { Ref: Match.stringLikeRegexp('^SharedJobsTable') }, MAX_RECEIVE_COUNT: '5' } },
  });
});

describe('FanOutConsumer and JobSplitter: grants and metrics for wiring them into other stacks', () => {
  const app = new App();
  const stack = new Stack(app, 'Pipeline');
  const fanOut = new FanOut(stack, 'Work', { consumers: { Words: { function: inlineWorker(stack) } } });
  const consumer = fanOut.consumers.Words;
  const splitter = new JobSplitter(stack, 'Splitter', { fanOut });
  /** What a dashboard or alarm gets of `metric`, with the tokens of its dimensions resolved. */
  const described = (metric: cloudwatch.Metric) => ({
    namespace: metric.namespace,
    metricName: metric.metricName,
    dimensions: stack.resolve(metric.dimensions),
    statistic: metric.statistic,
    periodSeconds: metric.period.toSeconds(),
  });
  const queueName = (queue: sqs.IQueue) => ({ QueueName: stack.resolve(queue.queueName) });
  const functionName = (fn: lambda.IFunction) => ({ FunctionName: stack.resolve(fn.functionName) });

  test.each([
    ['metricApproximateAgeOfOldestMessage', () => consumer.metricApproximateAgeOfOldestMessage(), 'ApproximateAgeOfOldestMessage', () => queueName(consumer.queue)],
    ['metricApproximateNumberOfMessagesVisible', () => consumer.metricApproximateNumberOfMessagesVisible(), 'ApproximateNumberOfMessagesVisible', () => queueName(consumer.queue)],
    ['metricDeadLetteredMessages', () => consumer.metricDeadLetteredMessages(), 'ApproximateNumberOfMessagesVisible', () => queueName(consumer.deadLetterQueue)],
  ])('FanOutConsumer.%s: the maximum over 5 minutes of its queue\'s metric', (_, metric, metricName, dimensions) => {
    expect(described(metric())).toEqual({ namespace: 'AWS/SQS', metricName, dimensions: dimensions(), statistic: 'Maximum', periodSeconds: 300 });
  });

  test.each([
    ['FanOutConsumer', () => consumer, () => consumer.worker],
    ['JobSplitter', () => splitter, () => splitter.function],
  ])('%s: metricErrors, metricThrottles (sums) and metricDuration (average) are its function\'s, over 5 minutes unless told', (_, owner, fn) => {
    expect(described(owner().metricErrors())).toEqual({
      namespace: 'AWS/Lambda', metricName: 'Errors', dimensions: functionName(fn()), statistic: 'Sum', periodSeconds: 300,
    });
    expect(described(owner().metricThrottles({ period: Duration.minutes(1) }))).toEqual({
      namespace: 'AWS/Lambda', metricName: 'Throttles', dimensions: functionName(fn()), statistic: 'Sum', periodSeconds: 60,
    });
    expect(described(owner().metricDuration({ statistic: 'p99' }))).toEqual({
      namespace: 'AWS/Lambda', metricName: 'Duration', dimensions: functionName(fn()), statistic: 'p99', periodSeconds: 300,
    });
  });

  test('grants to a role of another stack: send to the consumer\'s queue (not its dead-letter queue), invoke the splitter', () => {
    const other = new Stack(app, 'Producer');
    const role = new iam.Role(other, 'Producer', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    consumer.grantSendMessages(role);
    splitter.grantInvoke(role);
    const statements = Object.values<any>(Template.fromStack(other).findResources('AWS::IAM::Policy'))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
    const queueArn = stack.getLogicalId(consumer.queue.node.defaultChild as sqs.CfnQueue);
    const splitterArn = stack.getLogicalId(splitter.function.node.defaultChild as lambda.CfnFunction);
    expect(statements).toEqual([
      {
        Action: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
        Effect: 'Allow',
        Resource: { 'Fn::ImportValue': expect.stringContaining(queueArn) },
      },
      {
        Action: 'lambda:InvokeFunction',
        Effect: 'Allow',
        Resource: [
          { 'Fn::ImportValue': expect.stringContaining(splitterArn) },
          { 'Fn::Join': ['', [{ 'Fn::ImportValue': expect.stringContaining(splitterArn) }, ':*']] },
        ],
      },
    ]);
  });
});
