import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { readCloudAssembly, selectStack } from '../../tools/assembly/cloud-assembly';
import { IntrinsicResolver } from '../../tools/assembly/intrinsics';
import { readEventRules } from '../../tools/local/event-bus';

// The rules the local bus reads from a template: those with an EventPattern (scheduled rules are the scheduler's), on
// the default bus or a bus of the app, each with what of it the local run cannot do named.
const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'sdp-rules-')) });
const appStack = new Stack(app, 'Rules');
const bus = new events.EventBus(appStack, 'Bus', { eventBusName: 'orders-bus' });
const machine = new sfn.StateMachine(appStack, 'Machine', { stateMachineName: 'Fulfil', definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(appStack, 'Done')) });
const rule = (id: string, props: Omit<events.CfnRuleProps, 'targets'>) => new events.CfnRule(appStack, id, props);
new events.CfnRule(appStack, 'OnBus', { eventBusName: bus.eventBusName, eventPattern: { source: ['shop'] }, targets: [{ id: 'T', arn: machine.stateMachineArn, input: '{"a":1}' }] });
rule('Hourly', { scheduleExpression: 'rate(1 hour)' });
rule('Paused', { state: 'DISABLED', eventPattern: { source: ['shop'] } });
rule('Ipv6', { eventPattern: { detail: { sourceIp: [{ cidr: '2001:db8::/32' }] } } });
rule('Foreign', { eventBusName: 'arn:aws:events:us-east-1:111122223333:event-bus/theirs', eventPattern: { source: ['shop'] } });
const stack = selectStack(readCloudAssembly(app.synth().directory), 'Rules');
const rules = readEventRules(stack, IntrinsicResolver.of(stack));
const at = (id: string) => rules.find((r) => r.logicalId === id)!;

test('reads the rules with a pattern, not the scheduled ones', () => {
  expect(rules.map((r) => r.logicalId)).toEqual(['OnBus', 'Paused', 'Ipv6', 'Foreign']);
});

test("a rule on the app's bus: its bus by name, its ARN naming the bus, its targets resolved", () => {
  expect(at('OnBus')).toMatchObject({
    busName: 'orders-bus', enabled: true, unsupported: [], arn: 'arn:aws:events:us-east-1:000000000000:rule/orders-bus/OnBus',
    targets: [{ id: 'T', arn: 'arn:aws:states:us-east-1:000000000000:stateMachine:Fulfil', input: '{"a":1}' }],
  });
});

test('State DISABLED reads as disabled', () => {
  expect(at('Paused').enabled).toBe(false);
});

test('what the local matcher does not do (an IPv6 block), and a bus of another account, are named', () => {
  expect(at('Ipv6').unsupported).toEqual(['EventPattern detail.sourceIp: cidr takes an IPv4 block such as 10.0.0.0/24 (got "2001:db8::/32"; IPv6 is not matched locally)']);
  expect(at('Foreign').unsupported).toEqual(["EventBusName 'arn:aws:events:us-east-1:111122223333:event-bus/theirs' is a bus of another account"]);
});
