import { BusEvent, targetInput } from '../../tools/local/event-bus';

// What a rule's target receives: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html,
// its example event and the outputs of its table of input templates.
const event: BusEvent = {
  'version': '0',
  'id': '7bf73129-1428-4cd3-a780-95db273d1602',
  'detail-type': 'EC2 Instance State-change Notification',
  'source': 'aws.ec2',
  'account': '123456789012',
  'time': '2015-11-11T21:29:54Z',
  'region': 'us-east-1',
  'resources': ['arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111'],
  'detail': { 'instance-id': 'i-0123456789', 'state': 'RUNNING' },
};
const rule = { name: 'example', arn: 'arn:aws:events:us-east-2:123456789012:rule/example' };
const inputPathsMap = { timestamp: '$.time', instance: '$.detail.instance-id', state: '$.detail.state' };
const transformed = (inputTemplate: string) => targetInput({ id: 'T', arn: 'arn', inputTransformer: { inputPathsMap, inputTemplate } }, event, rule, '2015-11-11T21:29:55Z');

test('without Input, InputPath or InputTransformer the target gets the event', () => {
  expect(JSON.parse(targetInput({ id: 'T', arn: 'arn' }, event, rule, ''))).toEqual(event);
});

test('Input is sent as it is', () => {
  expect(targetInput({ id: 'T', arn: 'arn', input: '{"fixed":true}' }, event, rule, '')).toBe('{"fixed":true}');
});

test('InputPath sends the part of the event it names', () => {
  expect(JSON.parse(targetInput({ id: 'T', arn: 'arn', inputPath: '$.detail' }, event, rule, ''))).toEqual(event.detail);
  expect(JSON.parse(targetInput({ id: 'T', arn: 'arn', inputPath: '$.resources[0]' }, event, rule, ''))).toBe(event.resources[0]);
});

describe('InputTransformer', () => {
  test('a string template: the variables as their text', () => {
    expect(transformed('"instance <instance> is in <state>"')).toBe('"instance i-0123456789 is in RUNNING"');
    expect(transformed('"instance \\"<instance>\\" is in <state>"')).toBe('"instance \\"i-0123456789\\" is in RUNNING"');
  });

  test('a JSON template: a variable outside quotes as its JSON value, inside quotes as its text', () => {
    expect(JSON.parse(transformed('{"instance" : <instance>, "state": "<state>", "instanceStatus": "instance \\"<instance>\\" is in <state>"}'))).toEqual({
      instance: 'i-0123456789', state: 'RUNNING', instanceStatus: 'instance "i-0123456789" is in RUNNING',
    });
    expect(JSON.parse(transformed('{"instance" : <instance>, "state": [ 9, <state>, true ], "Transformed" : "Yes"}'))).toEqual({
      instance: 'i-0123456789', state: [9, 'RUNNING', true], Transformed: 'Yes',
    });
  });

  test('the reserved variables: the rule, the event without its detail, the whole event, the ingestion time', () => {
    const withoutDetail: Record<string, unknown> = { ...event };
    delete withoutDetail.detail;
    expect(JSON.parse(transformed('{"ruleArn": <aws.events.rule-arn>, "ruleName": <aws.events.rule-name>, "originalEvent": <aws.events.event>, '
      + '"json": <aws.events.event.json>, "at": "<aws.events.event.ingestion-time>"}'))).toEqual({
      ruleArn: rule.arn, ruleName: 'example', originalEvent: withoutDetail, json: event, at: '2015-11-11T21:29:55Z',
    });
    expect(transformed('"<aws.events.rule-name> triggered"')).toBe('"example triggered"');
  });

  test('a variable whose path is not in the event is null (an empty text inside quotes)', () => {
    const output = targetInput({ id: 'T', arn: 'arn', inputTransformer: { inputPathsMap: { size: '$.detail.size' }, inputTemplate: '{"size": <size>, "text": "<size>"}' } }, event, rule, '');
    expect(JSON.parse(output)).toEqual({ size: null, text: '' });
  });
});
