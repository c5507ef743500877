import { Template } from 'aws-cdk-lib/assertions';
import { exampleAssembly } from '../support/example-app';

// Synthesized once per run by test/support/global-setup.ts, with cdk-nag and CloudFormation validation.
const app = exampleAssembly();
const wordLength = app.template('WordLengthExample');
const fanOut = app.template('FanOutExample');

interface AlarmSummary { readonly id: string; readonly props: any }

const alarmsOf = (template: Template): AlarmSummary[] =>
  Object.entries<any>(template.findResources('AWS::CloudWatch::Alarm')).map(([id, resource]) => ({ id, props: resource.Properties }));

/** What an alarm watches: `<namespace> <metric> <resource logical id>`, the resource taken from its last dimension (an API's stage). */
function watched({ props }: AlarmSummary): string {
  const value = props.Dimensions[props.Dimensions.length - 1].Value;
  const resource = typeof value === 'string' ? value : value.Ref ?? value['Fn::GetAtt'][0];
  return `${props.Namespace} ${props.MetricName} ${resource.replace(/[0-9A-F]{8}$/, '')}`;
}

const onlyId = (template: Template, type: string, prefix: string): string => {
  const ids = Object.keys(template.findResources(type)).filter((id) => id.startsWith(prefix));
  expect(ids).toHaveLength(1);
  return ids[0];
};

/** The dashboard body with its tokens, as one string to search. */
const dashboardBody = (template: Template): string =>
  JSON.stringify(Object.values<any>(template.findResources('AWS::CloudWatch::Dashboard'))[0].Properties.DashboardBody);

describe('WordLengthExample: the workflow and its functions alarm by e-mail', () => {
  const alarms = alarmsOf(wordLength);

  test('failed, timed-out and throttled executions; errors and throttles of the map and reduce functions', () => {
    expect(alarms.map(watched).sort()).toEqual([
      'AWS/Lambda Errors WordLengthMapFunction',
      'AWS/Lambda Errors WordLengthReduceFunction',
      'AWS/Lambda Throttles WordLengthMapFunction',
      'AWS/Lambda Throttles WordLengthReduceFunction',
      'AWS/States ExecutionThrottled WordLengthStateMachine',
      'AWS/States ExecutionsFailed WordLengthStateMachine',
      'AWS/States ExecutionsTimedOut WordLengthStateMachine',
    ]);
  });

  test('every alarm notifies the one alarm topic on ALARM and OK, and the topic e-mails alerts@example.com', () => {
    const topic = onlyId(wordLength, 'AWS::SNS::Topic', 'MonitoringAlarmsTopic');
    for (const { props } of alarms) {
      expect(props).toMatchObject({ AlarmActions: [{ Ref: topic }], OKActions: [{ Ref: topic }], TreatMissingData: 'notBreaching' });
    }
    wordLength.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'alerts@example.com', TopicArn: { Ref: topic } });
  });

  test('the dashboard lists every alarm and graphs the workflow and both functions', () => {
    const body = dashboardBody(wordLength);
    for (const { id } of alarms) expect(body).toContain(`{"Fn::GetAtt":["${id}","Arn"]}`);
    for (const title of ['WordLength: executions', 'WordLengthMapFunction: invocations', 'WordLengthReduceFunction: duration (ms)']) {
      expect(body).toContain(title);
    }
  });
});

describe('FanOutExample: every part alarms through the fan-out\'s one topic', () => {
  const alarms = alarmsOf(fanOut);

  test('the job workflow, splitter, worker, queue, dead-letter queues, schedule, API and warmer each alarm once', () => {
    expect(alarms.map(watched).sort()).toEqual([
      'AWS/ApiGateway 5XXError RunJobApiDeploymentStagev1',
      'AWS/Lambda Errors SplitterFunction',
      'AWS/Lambda Errors WarmerFunction',
      'AWS/Lambda Errors WorkWordsWorker',
      'AWS/Lambda Throttles SplitterFunction',
      'AWS/Lambda Throttles WarmerFunction',
      'AWS/Lambda Throttles WorkWordsWorker',
      'AWS/SQS ApproximateAgeOfOldestMessage WorkWordsQueue',
      'AWS/SQS ApproximateNumberOfMessagesVisible Every5MinutesDeadLetterQueue',
      'AWS/SQS ApproximateNumberOfMessagesVisible WarmerWindow1DeadLetterQueue',
      'AWS/SQS ApproximateNumberOfMessagesVisible WarmerWindow2DeadLetterQueue',
      'AWS/SQS ApproximateNumberOfMessagesVisible WarmerWindow3DeadLetterQueue',
      'AWS/SQS ApproximateNumberOfMessagesVisible WorkWordsDeadLetterQueue',
      'AWS/States ExecutionThrottled RunJobStateMachine',
      'AWS/States ExecutionsFailed RunJobStateMachine',
      'AWS/States ExecutionsTimedOut RunJobStateMachine',
    ]);
  });

  test('one alarm topic: every alarm notifies it once on ALARM and once on OK', () => {
    const topic = onlyId(fanOut, 'AWS::SNS::Topic', 'WorkAlarmsTopic');
    expect(Object.keys(fanOut.findResources('AWS::SNS::Topic')).sort()).toEqual([topic, onlyId(fanOut, 'AWS::SNS::Topic', 'WorkTopic')].sort());
    for (const { props } of alarms) {
      expect(props).toMatchObject({ AlarmActions: [{ Ref: topic }], OKActions: [{ Ref: topic }], TreatMissingData: 'notBreaching' });
      expect(props.AlarmDescription.length).toBeGreaterThan(100);
    }
  });

  test('the dashboard lists every alarm, the constructs\' own dead-letter alarms included', () => {
    const body = dashboardBody(fanOut);
    for (const { id } of alarms) expect(body).toContain(`{"Fn::GetAtt":["${id}","Arn"]}`);
    for (const title of ['RunJob: executions', 'SplitterFunction: invocations', 'WorkWords worker: invocations', 'WorkWords queue: oldest message age (s)',
      'Every5Minutes: undelivered runs', 'RunJobApi: requests', 'RunJobApi: latency (ms)', 'Warmer function: invocations', 'Warmer Window3: undelivered runs']) {
      expect(body).toContain(title);
    }
  });
});

describe('X-Ray tracing stays on end to end', () => {
  const templates = { WordLengthExample: wordLength, FanOutExample: fanOut };
  const all = (type: string) => Object.entries(templates).flatMap(([stack, template]) =>
    Object.entries<any>(template.findResources(type)).map(([id, resource]) => ({ where: `${stack}/${id}`, props: resource.Properties })));

  test('every state machine traces', () => {
    const machines = all('AWS::StepFunctions::StateMachine');
    expect(machines.map((m) => m.where).sort()).toEqual([expect.stringMatching(/^FanOutExample\/RunJob/), expect.stringMatching(/^WordLengthExample\/WordLength/)]);
    for (const { where, props } of machines) expect({ where, tracing: props.TracingConfiguration }).toEqual({ where, tracing: { Enabled: true } });
  });

  test('every Lambda function traces actively', () => {
    const functions = all('AWS::Lambda::Function');
    expect(functions).toHaveLength(5);
    for (const { where, props } of functions) expect({ where, tracing: props.TracingConfig }).toEqual({ where, tracing: { Mode: 'Active' } });
  });

  test('the API stage traces', () => {
    const stages = all('AWS::ApiGateway::Stage');
    expect(stages).toHaveLength(1);
    expect(stages[0].props.TracingEnabled).toBe(true);
  });
});
