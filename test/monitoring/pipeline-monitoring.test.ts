import { App, CfnElement, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import {
  AlarmTopic, ApiTrigger, FanOut, FanOutJobWorkflow, JobSplitter, LambdaWarmer, MapReduceWorkflow, PipelineMonitoring,
  PipelineMonitoringProps, ResultTable, ScheduleTrigger,
} from '../../lib';
import { standInFunction } from '../support/stand-in-function';
import { expectValidationError } from '../support/validation-error';

/** A stand-in for a user's function, reserving 10 (the warmer and monitoring tests read reserved concurrency). */
const userFunction = (scope: Stack, id: string, timeout = Duration.seconds(10)): lambda.Function =>
  standInFunction(scope, id, { timeout, reservedConcurrency: 10 });

/** Apps that skip bundling the library's own functions: these tests read templates, not code. */
const unbundledApp = () => new App({ context: { 'aws:cdk:bundling-stacks': [] } });

/** A whole pipeline — map/reduce workflow, fan-out, splitter, job workflow, two schedules, API, warmer — monitored end to end. */
function pipeline(app: App, props: PipelineMonitoringProps = { alarmEmail: 'alerts@example.com' }) {
  const stack = new Stack(app, 'Pipeline');
  const words = new MapReduceWorkflow(stack, 'WordLength', {
    mapFunction: userFunction(stack, 'Map'), reduceFunction: userFunction(stack, 'Reduce'), resultTable: new ResultTable(stack, 'Results'),
  });
  const fanOut = new FanOut(stack, 'Work', { consumers: { Words: { function: userFunction(stack, 'Worker') } } });
  const splitter = new JobSplitter(stack, 'Splitter', { fanOut });
  const jobs = new FanOutJobWorkflow(stack, 'RunJob', { splitter });
  const alarmedSchedule = new ScheduleTrigger(stack, 'Every5Minutes', { stateMachine: jobs.stateMachine, rate: Duration.minutes(5), input: { items: [{}] }, alarmTopic: fanOut.alarmTopic });
  const quietSchedule = new ScheduleTrigger(stack, 'Hourly', { stateMachine: jobs.stateMachine, rate: Duration.hours(1), input: { items: [{}] } });
  const api = new ApiTrigger(stack, 'RunJobApi', {
    stateMachine: jobs.stateMachine,
    inputSchema: { type: apigateway.JsonSchemaType.OBJECT, properties: { items: { type: apigateway.JsonSchemaType.ARRAY } } },
  });
  const warmer = new LambdaWarmer(stack, 'Warmer', { targets: [{ function: splitter.function }], alarmTopic: fanOut.alarmTopic });

  const monitoring = new PipelineMonitoring(stack, 'Monitoring', props);
  monitoring.monitorWorkflow(words);
  monitoring.monitorFunction(words.mapFunction);
  monitoring.monitorWorkflow(jobs);
  monitoring.monitorFunction(splitter.function);
  monitoring.monitorFanOut(fanOut);
  monitoring.monitorSchedule(alarmedSchedule);
  monitoring.monitorSchedule(quietSchedule);
  monitoring.monitorApi(api);
  monitoring.monitorWarmer(warmer);
  return { stack, words, fanOut, splitter, jobs, alarmedSchedule, quietSchedule, api, warmer, monitoring };
}

const built = pipeline(unbundledApp());
const template = Template.fromStack(built.stack);
/** `{ Ref: <logical id> }` of a construct's CloudFormation resource. */
const refOf = (construct: IConstruct) => ({ Ref: Stack.of(construct).resolve((construct.node.defaultChild as CfnElement).logicalId) });
/** `{ Fn::GetAtt: [<logical id>, QueueName] }`, as SQS metrics name a queue. */
const queueNameOf = (queue: sqs.IQueue) => ({ 'Fn::GetAtt': [Stack.of(queue).resolve((queue.node.defaultChild as CfnElement).logicalId), 'QueueName'] });
const topicRef = refOf(built.monitoring.alarmTopic.topic);

/** The one alarm whose logical id starts with `prefix`. */
function alarm(prefix: string, t: Template = template): any {
  const found = Object.entries<any>(t.findResources('AWS::CloudWatch::Alarm')).filter(([id]) => id.startsWith(prefix));
  expect(found.map(([id]) => id)).toHaveLength(1);
  return found[0][1].Properties;
}

/** What every alarm of the monitoring has in common: the default timing, missing data not breaching, ALARM and OK actions on the topic. */
const DEFAULT_RULE = {
  Period: 300,
  EvaluationPeriods: 1,
  DatapointsToAlarm: 1,
  TreatMissingData: 'notBreaching',
  AlarmActions: [topicRef],
  OKActions: [topicRef],
};

describe('workflow alarms', () => {
  const stateMachine = { Name: 'StateMachineArn', Value: refOf(built.words.stateMachine) };
  test.each([
    ['ExecutionsFailed', /npx sdp status <execution arn>.*error and cause.*npx sdp trace <execution arn>.*which state failed.*result table/],
    ['ExecutionsTimedOut', /workflow timeout.*npx sdp trace/],
    ['ExecutionThrottled', /quota.*Service Quotas/],
  ])('%s ≥ 1 in one 5-minute period (sum), on the state machine, saying what to do', (metricName, whatToDo) => {
    const props = alarm(`MonitoringWordLength${metricName}`);
    expect(props).toMatchObject({
      ...DEFAULT_RULE,
      Namespace: 'AWS/States',
      MetricName: metricName,
      Dimensions: [stateMachine],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    expect(props.AlarmDescription).toMatch(whatToDo);
  });

  test('no alarm on aborted executions unless asked; a raw state machine is monitored under its path', () => {
    expect(Object.keys(template.findResources('AWS::CloudWatch::Alarm')).filter((id) => id.includes('Aborted'))).toEqual([]);
    const stack = new Stack(unbundledApp(), 'Raw');
    const machine = new sfn.StateMachine(stack, 'Machine', { definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'Pass')) });
    const monitoring = new PipelineMonitoring(stack, 'Monitoring', { alarmEmail: 'alerts@example.com' });
    const alarms = monitoring.monitorWorkflow(machine, { abortedExecutions: 2 });
    expect(alarms.map((a) => a.node.id)).toEqual(['ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionThrottled', 'ExecutionsAborted']);
    expect(alarm('MonitoringMachineExecutionsAborted', Template.fromStack(stack))).toMatchObject({
      MetricName: 'ExecutionsAborted', Threshold: 2, Statistic: 'Sum', AlarmDescription: expect.stringMatching(/StopExecution.*CloudTrail.*`npx sdp start <state machine> --input <file.json> --name <new job id>`/),
    });
  });

  test('a workflow without a result table does not say it recorded failures in one', () => {
    const stack = new Stack(unbundledApp(), 'NoTable');
    const workflow = new MapReduceWorkflow(stack, 'Words', { mapFunction: userFunction(stack, 'Map'), reduceFunction: userFunction(stack, 'Reduce') });
    const [failed] = new PipelineMonitoring(stack, 'Monitoring', {}).monitorWorkflow(workflow);
    expect(Stack.of(failed).resolve((failed.node.defaultChild as CfnElement & { alarmDescription: string }).alarmDescription)).not.toMatch(/result table/);
  });

  test('the fan-out job workflow is monitored through its state machine', () => {
    expect(alarm('MonitoringRunJobExecutionsFailed')).toMatchObject({
      Dimensions: [{ Name: 'StateMachineArn', Value: refOf(built.jobs.stateMachine) }],
    });
    expect(alarm('MonitoringRunJobExecutionsFailed').AlarmDescription).not.toMatch(/result table/);
  });
});

describe('function alarms', () => {
  test.each([
    ['Errors', /log group.*X-Ray/],
    ['Throttles', /reserved concurrency.*raise/],
  ])('%s ≥ 1 in one 5-minute period (sum), on the function, saying what to do', (metricName, whatToDo) => {
    const props = alarm(`MonitoringMap${metricName}`);
    expect(props).toMatchObject({
      ...DEFAULT_RULE,
      Namespace: 'AWS/Lambda',
      MetricName: metricName,
      Dimensions: [{ Name: 'FunctionName', Value: refOf(built.words.mapFunction) }],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    expect(props.AlarmDescription).toMatch(whatToDo);
  });
});

describe('queue alarms', () => {
  function monitoredQueues(options: Parameters<PipelineMonitoring['monitorQueue']>[1]) {
    const stack = new Stack(new App(), 'Queues');
    const deadLetters = new sqs.Queue(stack, 'DeadLetters');
    const source = new sqs.Queue(stack, 'Source', { deadLetterQueue: { queue: deadLetters, maxReceiveCount: 3 } });
    const monitoring = new PipelineMonitoring(stack, 'Monitoring', { alarmEmail: 'alerts@example.com' });
    const alarms = options?.deadLetter ? monitoring.monitorQueue(deadLetters, options) : monitoring.monitorQueue(source, { deadLetterQueue: deadLetters, ...options });
    return { stack, source, deadLetters, alarms, template: Template.fromStack(stack) };
  }

  test('a source queue alarms when its oldest message is over 15 minutes old (maximum), saying what to check', () => {
    const { source, template: t } = monitoredQueues({});
    const props = alarm('MonitoringSourceOldestMessageAge', t);
    expect(props).toMatchObject({
      ...DEFAULT_RULE,
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [{ Name: 'QueueName', Value: queueNameOf(source) }],
      Statistic: 'Maximum',
      Threshold: 900,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    expect(props.AlarmDescription).toMatch(/consumer.*Errors and Throttles/);
  });

  test('its dead-letter queue alarms on any visible message (maximum), saying how to redrive', () => {
    const { deadLetters, template: t } = monitoredQueues({});
    const props = alarm('MonitoringSourceDeadLetterMessages', t);
    expect(props).toMatchObject({
      ...DEFAULT_RULE,
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: queueNameOf(deadLetters) }],
      Statistic: 'Maximum',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    expect(props.AlarmDescription).toMatch(/redrive.*start-message-move-task/);
  });

  test('a queue marked deadLetter alarms on its depth only, with the thresholds given', () => {
    const { alarms, template: t } = monitoredQueues({ deadLetter: true, deadLetterMessages: 9, maxMessageAge: Duration.hours(1) });
    expect(alarms.map((a) => a.node.id)).toEqual(['DeadLetterMessages']);
    expect(alarm('MonitoringDeadLettersDeadLetterMessages', t)).toMatchObject({ MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 9 });
  });
});

describe('fan-out: worker, queue and the consumer\'s own dead-letter alarm', () => {
  const consumer = () => built.fanOut.consumers.Words;

  test('the worker\'s errors and throttles, and the queue\'s oldest message, alarm', () => {
    expect(alarm('MonitoringWorkWordsWorkerErrors')).toMatchObject({ ...DEFAULT_RULE, MetricName: 'Errors', Dimensions: [{ Name: 'FunctionName', Value: refOf(consumer().worker) }] });
    expect(alarm('MonitoringWorkWordsWorkerErrors').AlarmDescription).toMatch(/maxReceiveCount.*dead-letter queue/);
    expect(alarm('MonitoringWorkWordsWorkerThrottles')).toMatchObject({ ...DEFAULT_RULE, MetricName: 'Throttles' });
    expect(alarm('MonitoringWorkWordsQueueOldestMessageAge')).toMatchObject({ ...DEFAULT_RULE, MetricName: 'ApproximateAgeOfOldestMessage', Threshold: 900 });
  });

  test('the dead-letter queue keeps one alarm — the consumer\'s, adopted — which now also notifies on OK', () => {
    const dlq = queueNameOf(consumer().deadLetterQueue);
    const onDlq = Object.entries<any>(template.findResources('AWS::CloudWatch::Alarm'))
      .filter(([, r]) => JSON.stringify(r.Properties.Dimensions ?? []) === JSON.stringify([{ Name: 'QueueName', Value: dlq }]));
    expect(onDlq.map(([id]) => id)).toEqual([built.stack.resolve((consumer().deadLetterAlarm.node.defaultChild as any).logicalId)]);
    // This monitoring made its own topic, so the consumer's alarm notifies the fan-out's topic and this one, each once.
    expect(onDlq[0][1].Properties).toMatchObject({
      AlarmActions: [refOf(built.fanOut.alarmTopic.topic), topicRef],
      OKActions: [topicRef],
    });
    expect(built.monitoring.alarms).toContain(consumer().deadLetterAlarm);
  });

  test('sharing the fan-out\'s topic: the adopted alarm gets an OK action and no second ALARM action', () => {
    const stack = new Stack(new App(), 'Shared');
    const fanOut = new FanOut(stack, 'Work', { alarmEmail: 'alerts@example.com', consumers: { Words: { function: userFunction(stack, 'Worker') } } });
    new PipelineMonitoring(stack, 'Monitoring', { alarmTopic: fanOut.alarmTopic }).monitorFanOut(fanOut);
    const shared = refOf(fanOut.alarmTopic.topic);
    expect(alarm('WorkWordsDeadLetterAlarm', Template.fromStack(stack))).toMatchObject({ AlarmActions: [shared], OKActions: [shared] });
    expect(alarm('WorkWordsDeadLetterAlarm', Template.fromStack(stack)).AlarmActions).toHaveLength(1);
    Template.fromStack(stack).resourceCountIs('AWS::SNS::Topic', 2); // the fan-out topic and its alarm topic, no third
  });
});

describe('schedules and the warmer', () => {
  test('a schedule with its own dead-letter alarm: adopted, not duplicated', () => {
    expect(built.monitoring.alarms).toContain(built.alarmedSchedule.deadLetterAlarm);
    expect(Object.keys(template.findResources('AWS::CloudWatch::Alarm')).filter((id) => id.startsWith('MonitoringEvery5Minutes'))).toEqual([]);
    expect(alarm('Every5MinutesDeadLetterAlarm')).toMatchObject({ OKActions: [topicRef] });
  });

  test('a schedule without one gets a dead-letter alarm from the monitoring, saying how to recover the missed runs', () => {
    const props = alarm('MonitoringHourlyDeadLetterMessages');
    expect(props).toMatchObject({
      ...DEFAULT_RULE,
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: queueNameOf(built.quietSchedule.deadLetterQueue) }],
      Statistic: 'Maximum',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    expect(props.AlarmDescription).toMatch(/could not be delivered.*start the missed runs.*`npx sdp start <state machine> --input <file.json>`.*purge the queue/);
  });

  test('the warmer: its function\'s errors and throttles, and its schedule\'s dead-letter alarm adopted', () => {
    expect(alarm('MonitoringWarmerFunctionErrors')).toMatchObject({ ...DEFAULT_RULE, MetricName: 'Errors', Dimensions: [{ Name: 'FunctionName', Value: refOf(built.warmer.function) }] });
    expect(alarm('MonitoringWarmerFunctionErrors').AlarmDescription).toMatch(/start cold.*Throttles/);
    expect(alarm('MonitoringWarmerFunctionThrottles')).toMatchObject({ MetricName: 'Throttles' });
    expect(built.monitoring.alarms).toContain(built.warmer.schedules[0].deadLetterAlarm);
  });

  test('a warmer without an alarm topic: a dead-letter alarm per schedule from the monitoring, saying missed warm-ups need no replay', () => {
    const stack = new Stack(unbundledApp(), 'Warm');
    const warmer = new LambdaWarmer(stack, 'Warmer', { targets: [{ function: userFunction(stack, 'Target') }] });
    const alarms = new PipelineMonitoring(stack, 'Monitoring', { alarmEmail: 'alerts@example.com' }).monitorWarmer(warmer);
    expect(alarms.map((a) => a.node.path)).toEqual(['Errors', 'Throttles', 'DeadLetterMessages'].map((id, i) => `Warm/Monitoring/Warmer/${i < 2 ? 'Function' : 'Schedule'}/${id}`));
    expect(alarm('MonitoringWarmerScheduleDeadLetterMessages', Template.fromStack(stack))).toMatchObject({
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: queueNameOf(warmer.schedules[0].deadLetterQueue) }],
      Threshold: 0,
      AlarmDescription: expect.stringMatching(/^Warm-up runs of Warm\/Warmer\/Schedule could not be delivered.*purge the queue.*need no replay/),
    });
  });

  test('an alarm two calls adopt is listed once and notifies the topic once', () => {
    const stack = new Stack(unbundledApp(), 'Twice');
    const topic = new AlarmTopic(stack, 'Topic');
    const warmer = new LambdaWarmer(stack, 'Warmer', { targets: [{ function: userFunction(stack, 'Target') }], alarmTopic: topic });
    const monitoring = new PipelineMonitoring(stack, 'Monitoring', { alarmTopic: topic });
    const [schedule] = warmer.schedules;
    expect(monitoring.monitorWarmer(warmer)).toContain(schedule.deadLetterAlarm);
    expect(monitoring.monitorSchedule(schedule, { label: 'WarmUps' })).toEqual([schedule.deadLetterAlarm]);
    expect(monitoring.alarms.filter((a) => a === schedule.deadLetterAlarm)).toHaveLength(1);
    expect(alarm('WarmerScheduleDeadLetterAlarm', Template.fromStack(stack))).toMatchObject({ AlarmActions: [refOf(topic.topic)], OKActions: [refOf(topic.topic)] });
  });
});

describe('API alarms', () => {
  test('5XX answers ≥ 1 in one 5-minute period (sum), on the stage, saying where the logs are', () => {
    const props = alarm('MonitoringRunJobApiServerErrors');
    expect(props).toMatchObject({
      ...DEFAULT_RULE,
      Namespace: 'AWS/ApiGateway',
      MetricName: '5XXError',
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    expect(props.Dimensions.map((d: any) => d.Name).sort()).toEqual(['ApiName', 'Stage']);
    expect(props.AlarmDescription).toMatch(/requestId.*execution log group.*X-Ray/);
  });

  test('a p99 latency alarm only with latencyP99, in milliseconds', () => {
    expect(Object.keys(template.findResources('AWS::CloudWatch::Alarm')).filter((id) => id.includes('Latency'))).toEqual([]);
    const stack = new Stack(new App(), 'Latency');
    const machine = new sfn.StateMachine(stack, 'Machine', { definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'Pass')) });
    const api = new ApiTrigger(stack, 'Api', { stateMachine: machine, inputSchema: { type: apigateway.JsonSchemaType.OBJECT } });
    const monitoring = new PipelineMonitoring(stack, 'Monitoring', { alarmEmail: 'alerts@example.com' });
    monitoring.monitorApi(api, { latencyP99: Duration.seconds(2) });
    expect(alarm('MonitoringApiLatencyP99', Template.fromStack(stack))).toMatchObject({
      MetricName: 'Latency', ExtendedStatistic: 'p99', Threshold: 2000, ComparisonOperator: 'GreaterThanThreshold', OKActions: [refOf(monitoring.alarmTopic.topic)],
    });
  });
});

describe('the alarm topic', () => {
  test('alarmEmail: a new encrypted topic with the e-mail subscribed', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'alerts@example.com', TopicArn: topicRef });
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    expect(built.monitoring.alarmTopic.node.path).toBe('Pipeline/Monitoring/Alarms');
  });

  test('every alarm notifies the topic on ALARM and on OK, treats missing data as OK, and says what to do', () => {
    const alarms = Object.values<any>(template.findResources('AWS::CloudWatch::Alarm')).map((r) => r.Properties);
    expect(alarms).toHaveLength(built.monitoring.alarms.length);
    for (const props of alarms) {
      expect(props.AlarmActions).toContainEqual(topicRef);
      expect(props.OKActions).toEqual([topicRef]);
      expect(props.TreatMissingData).toBe('notBreaching');
      expect(props.AlarmDescription).toMatch(/(console|logs?|trace|redrive|raise|Check|by hand)/i);
      // An operator has the installed sdp command, not this repository's npm scripts.
      expect(props.AlarmDescription).not.toMatch(/npm (start|run)/);
    }
  });

  test('a new topic with no e-mail warns that the alarms reach nobody', () => {
    const stack = new Stack(new App(), 'Silent');
    new PipelineMonitoring(stack, 'Monitoring');
    Annotations.fromStack(stack).hasWarning('/Silent/Monitoring', Match.stringLikeRegexp('notify nobody'));
  });
});

describe('defaults and overrides', () => {
  test('the monitoring\'s defaults apply to every alarm; a call\'s options override them', () => {
    const stack = new Stack(new App(), 'Tuned');
    const monitoring = new PipelineMonitoring(stack, 'Monitoring', {
      alarmEmail: 'alerts@example.com',
      defaults: { period: Duration.minutes(1), evaluationPeriods: 5, datapointsToAlarm: 3, functionErrors: 4 },
    });
    monitoring.monitorFunction(userFunction(stack, 'Quiet'));
    monitoring.monitorFunction(userFunction(stack, 'Loud'), { functionErrors: 20, evaluationPeriods: 10 });
    const t = Template.fromStack(stack);
    expect(alarm('MonitoringQuietErrors', t)).toMatchObject({ Period: 60, EvaluationPeriods: 5, DatapointsToAlarm: 3, Threshold: 4 });
    expect(alarm('MonitoringQuietErrors', t).AlarmDescription).toMatch(/in 3 of 5 periods of 1 minute/);
    expect(alarm('MonitoringLoudErrors', t)).toMatchObject({ Period: 60, EvaluationPeriods: 10, DatapointsToAlarm: 3, Threshold: 20 });
    expect(alarm('MonitoringLoudThrottles', t)).toMatchObject({ Threshold: 1 });
  });
});

describe('the dashboard', () => {
  const body = () => JSON.stringify(Object.values<any>(template.findResources('AWS::CloudWatch::Dashboard'))[0].Properties.DashboardBody);
  /** The dashboard's widgets as CloudWatch reads them, each reference to a resource as `<ref>`. */
  const widgets = (): any[] => {
    const parts: unknown[] = Object.values<any>(template.findResources('AWS::CloudWatch::Dashboard'))[0].Properties.DashboardBody['Fn::Join'][1];
    return JSON.parse(parts.map((part) => (typeof part === 'string' ? part : '<ref>')).join('')).widgets;
  };
  const titled = (title: string) => widgets().find((w) => w.properties.title === title);

  test('the alarm status on top, then a row per monitored resource in the order monitored: two half-width graphs, or one', () => {
    const rows = new Map<number, string[]>();
    for (const w of widgets()) {
      rows.set(w.y, [...rows.get(w.y) ?? [], w.properties.title]);
      if (w.type === 'metric') expect([w.x, w.width]).toEqual([w.properties.title === rows.get(w.y)![0] ? 0 : 12, 12]);
    }
    expect([...rows.values()]).toEqual([
      ['Alarms'],
      ['WordLength: executions', 'WordLength: execution time'],
      ['Map: invocations', 'Map: duration (ms)'],
      ['RunJob: executions', 'RunJob: execution time'],
      ['SplitterFunction: invocations', 'SplitterFunction: duration (ms)'],
      ['WorkWords worker: invocations', 'WorkWords worker: duration (ms)'],
      ['WorkWords queue: messages', 'WorkWords queue: oldest message age (s)'],
      ['Every5Minutes: undelivered runs'],
      ['Hourly: undelivered runs'],
      ['RunJobApi: requests', 'RunJobApi: latency (ms)'],
      ['Warmer function: invocations', 'Warmer function: duration (ms)'],
      ['Warmer Schedule: undelivered runs'],
    ]);
  });

  test('a function\'s duration graph marks its timeout; a queue\'s age graph marks the alarm threshold', () => {
    expect(titled('Map: duration (ms)').properties.annotations.horizontal).toEqual([{ value: 10_000, label: 'timeout', yAxis: 'left' }]);
    expect(titled('WorkWords queue: oldest message age (s)').properties.annotations.horizontal).toEqual([{ value: 900, label: 'alarm', yAxis: 'left' }]);
  });

  test('an alarm status widget lists every alarm created or adopted', () => {
    const widgets = body();
    expect(widgets).toContain('\\"type\\":\\"alarm\\"');
    for (const a of built.monitoring.alarms) {
      expect(widgets).toContain(`"${built.stack.resolve((a.node.defaultChild as any).logicalId)}"`);
    }
  });

  test('graphs side by side: executions, invocations, duration, queue depth and age, API requests and latency', () => {
    const widgets = body();
    for (const title of ['WordLength: executions', 'WordLength: execution time', 'Map: invocations', 'Map: duration (ms)',
      'WorkWords queue: messages', 'WorkWords queue: oldest message age (s)', 'RunJobApi: requests', 'RunJobApi: latency (ms)', 'Hourly: undelivered runs',
      'Warmer Schedule: undelivered runs']) {
      expect(widgets).toContain(`\\"title\\":\\"${title}\\"`);
    }
    for (const metric of ['ExecutionsStarted', 'ExecutionsSucceeded', 'ExecutionsFailed', 'ExecutionTime', 'Invocations', 'Errors', 'Throttles', 'Duration',
      'ApproximateNumberOfMessagesVisible', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateAgeOfOldestMessage', 'Count', '4XXError', '5XXError', 'Latency', 'IntegrationLatency']) {
      expect(widgets).toContain(`\\"${metric}\\"`);
    }
    expect(widgets).toContain('\\"width\\":12');
  });

  test('dashboardName names it', () => {
    const stack = new Stack(new App(), 'Named');
    new PipelineMonitoring(stack, 'Monitoring', { alarmEmail: 'alerts@example.com', dashboardName: 'word-length' });
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'word-length' });
  });
});

test('the monitored pipeline passes cdk-nag AwsSolutions and Serverless with no unacknowledged finding', () => {
  const app = unbundledApp();
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  pipeline(app);
  expect(() => app.synth()).not.toThrow();
});

describe('validation: one test per rule, naming the prop, the value and the rule', () => {
  function messageOf(props: PipelineMonitoringProps, call?: (m: PipelineMonitoring, stack: Stack) => void): string {
    const stack = new Stack(new App(), 'Invalid');
    return expectValidationError(() => {
      const monitoring = new PipelineMonitoring(stack, 'Monitoring', props);
      call?.(monitoring, stack);
    }).message;
  }
  const withEmail = { alarmEmail: 'alerts@example.com' };

  test('alarmTopic or alarmEmail, not both', () => {
    const stack = new Stack();
    expect(() => new PipelineMonitoring(stack, 'Monitoring', { alarmTopic: new AlarmTopic(stack, 'Topic'), alarmEmail: 'a@example.com' }))
      .toThrow("PipelineMonitoring 'Default/Monitoring': give either alarmTopic or alarmEmail, not both");
  });
  test('dashboardName: letters, digits, - and _', () => {
    expect(messageOf({ ...withEmail, dashboardName: 'my dashboard' })).toBe("PipelineMonitoring 'Invalid/Monitoring': dashboardName must be 1..255 letters, digits, '-' or '_' (got 'my dashboard')");
  });
  test('count thresholds are positive integers', () => {
    expect(messageOf({ ...withEmail, defaults: { failedExecutions: 0 } })).toBe("PipelineMonitoring 'Invalid/Monitoring': defaults.failedExecutions must be a positive integer (got 0)");
  });
  test('evaluationPeriods is a positive integer', () => {
    expect(messageOf({ ...withEmail, defaults: { evaluationPeriods: 1.5 } })).toBe("PipelineMonitoring 'Invalid/Monitoring': defaults.evaluationPeriods must be a positive integer (got 1.5)");
  });
  test('datapointsToAlarm is at most evaluationPeriods', () => {
    expect(messageOf({ ...withEmail, defaults: { evaluationPeriods: 2, datapointsToAlarm: 3 } }))
      .toBe("PipelineMonitoring 'Invalid/Monitoring': defaults.datapointsToAlarm must not exceed evaluationPeriods (got 3 > 2)");
  });
  test('period is a whole number of minutes', () => {
    expect(messageOf({ ...withEmail, defaults: { period: Duration.seconds(30) } }))
      .toBe("PipelineMonitoring 'Invalid/Monitoring': defaults.period must be a whole number of minutes, at least 1 (got 30 seconds)");
  });
  test('period × evaluationPeriods within CloudWatch\'s evaluation range', () => {
    expect(messageOf({ ...withEmail, defaults: { period: Duration.minutes(5), evaluationPeriods: 300 } })).toBe(
      "PipelineMonitoring 'Invalid/Monitoring': defaults.period × evaluationPeriods must not exceed 1 day for periods under an hour, CloudWatch's longest evaluation range (got 5 minutes × 300)");
  });
  test('deadLetterMessages is an integer ≥ 0', () => {
    expect(messageOf({ ...withEmail, defaults: { deadLetterMessages: -1 } })).toBe("PipelineMonitoring 'Invalid/Monitoring': defaults.deadLetterMessages must be an integer ≥ 0 (got -1)");
  });
  test('maxMessageAge between 1 minute and 14 days', () => {
    expect(messageOf({ ...withEmail, defaults: { maxMessageAge: Duration.seconds(30) } }))
      .toBe("PipelineMonitoring 'Invalid/Monitoring': defaults.maxMessageAge must be between 1 minute and 14 days, SQS's longest retention (got 30 seconds)");
  });
  test('latencyP99 longer than 0', () => {
    expect(messageOf({ ...withEmail, defaults: { latencyP99: Duration.millis(0) } })).toBe("PipelineMonitoring 'Invalid/Monitoring': defaults.latencyP99 must be longer than 0 ms (got 0 millis)");
  });
  test('a call\'s options are checked too, named by the method', () => {
    expect(messageOf(withEmail, (m, stack) => m.monitorFunction(userFunction(stack, 'Fn'), { functionErrors: -2 })))
      .toBe("PipelineMonitoring 'Invalid/Monitoring': monitorFunction: functionErrors must be a positive integer (got -2)");
  });
  test('each monitored resource has its own label', () => {
    expect(messageOf(withEmail, (m, stack) => {
      const fn = userFunction(stack, 'Fn');
      m.monitorFunction(fn);
      m.monitorFunction(fn);
    })).toBe("PipelineMonitoring 'Invalid/Monitoring': monitorFunction: label 'Fn' (of Invalid/Fn) is already in use in this monitoring; each monitored resource needs a label of its own");
  });
  test('a label is letters, digits, spaces, - and _', () => {
    expect(messageOf(withEmail, (m, stack) => m.monitorFunction(userFunction(stack, 'Fn'), { label: 'a/b' })))
      .toBe("PipelineMonitoring 'Invalid/Monitoring': monitorFunction: label must start with a letter or digit and hold only letters, digits, spaces, '-' and '_' (got 'a/b')");
  });
  test('a queue is a dead-letter queue or has one, not both', () => {
    expect(messageOf(withEmail, (m, stack) => m.monitorQueue(new sqs.Queue(stack, 'Q'), { deadLetter: true, deadLetterQueue: new sqs.Queue(stack, 'D') })))
      .toBe("PipelineMonitoring 'Invalid/Monitoring': monitorQueue: give deadLetter or deadLetterQueue, not both (a dead-letter queue has no dead-letter queue of its own)");
  });
  test('all problems are reported together', () => {
    expect(messageOf({ ...withEmail, dashboardName: 'a b', defaults: { functionThrottles: 0, serverErrors: 0 } })).toBe([
      "PipelineMonitoring 'Invalid/Monitoring': invalid props:",
      " - dashboardName must be 1..255 letters, digits, '-' or '_' (got 'a b')",
      ' - defaults.functionThrottles must be a positive integer (got 0)',
      ' - defaults.serverErrors must be a positive integer (got 0)',
    ].join('\n'));
  });
});
