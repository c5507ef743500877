import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { knownReservedConcurrency } from '../../lib/core/known-settings';
import { ACCOUNT_CONCURRENCY_CONTEXT_KEY, checkReservedConcurrencyBudget } from '../../lib/core/reserved-concurrency';

const inline = (stack: Stack, id: string, reservedConcurrentExecutions?: number) => new lambda.Function(stack, id, {
  runtime: lambda.Runtime.NODEJS_24_X,
  handler: 'index.handler',
  code: lambda.Code.fromInline('exports.handler = async () => ({});'),
  reservedConcurrentExecutions,
});

/** An app whose functions reserve `reservations` (per stack), with the budget check registered. */
function appReserving(reservations: Array<{ stack: string; env?: { account: string; region: string }; reserved: number[] }>, context = {}) {
  const app = new App({ context });
  for (const { stack: stackId, env, reserved } of reservations) {
    const stack = new Stack(app, stackId, { env });
    reserved.forEach((n, i) => inline(stack, `Fn${i}`, n));
    checkReservedConcurrencyBudget(stack);
  }
  return app;
}

test('900 reserved of a default account synthesizes', () => {
  expect(() => appReserving([{ stack: 'A', reserved: [500] }, { stack: 'B', reserved: [400] }]).synth()).not.toThrow();
});

test('more than 900 reserved across the stacks of one (default) account fails synth, naming the total, the limit and the largest reservations', () => {
  const app = appReserving([{ stack: 'A', reserved: [500, 1] }, { stack: 'B', reserved: [400] }]);
  expect(() => app.synth()).toThrow(
    'the functions in the default account and region reserve 901 concurrent executions; an account limit of 1000 must keep 100 unreserved, '
    + 'so at most 900 can be reserved (largest: A/Fn0/Resource 500, B/Fn0/Resource 400, A/Fn1/Resource 1). '
    + `Lower their reservedConcurrency, or set the context '${ACCOUNT_CONCURRENCY_CONTEXT_KEY}' to the account's raised quota`,
  );
});

test('accounts and regions are budgeted separately', () => {
  const app = appReserving([
    { stack: 'Seoul', env: { account: '111111111111', region: 'ap-northeast-2' }, reserved: [600] },
    { stack: 'Tokyo', env: { account: '111111111111', region: 'ap-northeast-1' }, reserved: [600] },
  ]);
  expect(() => app.synth()).not.toThrow();
  const crowded = appReserving([
    { stack: 'One', env: { account: '111111111111', region: 'ap-northeast-2' }, reserved: [600] },
    { stack: 'Two', env: { account: '111111111111', region: 'ap-northeast-2' }, reserved: [600] },
  ]);
  expect(() => crowded.synth()).toThrow('the functions in account 111111111111 in ap-northeast-2 reserve 1200 concurrent executions');
});

test("a raised quota in the context allows more; an invalid one is reported", () => {
  expect(() => appReserving([{ stack: 'A', reserved: [1500] }], { [ACCOUNT_CONCURRENCY_CONTEXT_KEY]: 3000 }).synth()).not.toThrow();
  expect(() => appReserving([{ stack: 'A', reserved: [1] }], { [ACCOUNT_CONCURRENCY_CONTEXT_KEY]: 'lots' }).synth())
    .toThrow(`context '${ACCOUNT_CONCURRENCY_CONTEXT_KEY}' must be the account's concurrent-executions quota, an integer of at least 100 (got "lots")`);
});

test('knownReservedConcurrency reads a function, its versions and aliases; unknown for imported functions', () => {
  const stack = new Stack();
  const fn = inline(stack, 'Reserved', 7);
  const alias = new lambda.Alias(stack, 'Live', { aliasName: 'live', version: fn.currentVersion });
  expect(knownReservedConcurrency(fn)).toBe(7);
  expect(knownReservedConcurrency(fn.currentVersion)).toBe(7);
  expect(knownReservedConcurrency(alias)).toBe(7);
  expect(knownReservedConcurrency(inline(stack, 'Unreserved'))).toBeUndefined();
  expect(knownReservedConcurrency(lambda.Function.fromFunctionName(stack, 'Imported', 'elsewhere'))).toBeUndefined();
});
