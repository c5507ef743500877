import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../tools/cli/sdp';
import { synthesizeJsonataFixture } from '../support/jsonata-fixture-app';
import { bufferedIo } from './buffered-io';

// `sdp run` on a user's app written with aws-cdk-lib's JSONata states (sfn.Pass.jsonata, tasks.LambdaInvoke.jsonata,
// sfn.Map.jsonata with items and an item selector, sfn.Choice.jsonata, catchers with outputs and assign): the
// synthesized definition runs locally with the real function bundle.
const assemblyDir = synthesizeJsonataFixture();
const inputs = fs.mkdtempSync(path.join(os.tmpdir(), 'sdp-jsonata-input-'));
afterAll(() => {
  fs.rmSync(assemblyDir, { recursive: true, force: true });
  fs.rmSync(inputs, { recursive: true, force: true });
});

async function run(input: object, ...flags: string[]) {
  const file = path.join(inputs, `${Object.keys(input).join('-')}-${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(file, JSON.stringify(input));
  const { io, printed } = bufferedIo();
  const code = await main(['run', 'PriceOrder', '--assembly', assemblyDir, '--input', file, ...flags], io);
  return { code, ...printed };
}

test('an order is priced line by line, the total kept in a variable, the discount chosen by a JSONata condition', async () => {
  const order = {
    orderId: 'o-1',
    lines: [{ sku: 'a', quantity: 2, unitCents: 3000 }, { sku: 'b', quantity: 0, unitCents: 999 }, { sku: 'c', quantity: 1, unitCents: 5000 }],
  };
  const result = await run(order, '--json');
  expect(result.code).toBe(0);
  const execution = JSON.parse(result.stdout);
  // 2 × 3000 + 5000 = 11000 cents, over 10000: 10% off. The line of quantity 0 is left out by Items.
  expect(execution).toMatchObject({ status: 'SUCCEEDED', output: { orderId: 'o-1', status: 'PRICED', lines: 2, total: 9900, currency: 'EUR' } });
});

test('a line the function refuses is caught: the catcher\'s Assign and Output, then a state reading the variables', async () => {
  const result = await run({ orderId: 'o-2', currency: 'USD', lines: [{ sku: null, quantity: 1, unitCents: 100 }] }, '--json');
  expect(result.code).toBe(0);
  expect(JSON.parse(result.stdout)).toMatchObject({ status: 'SUCCEEDED', output: { orderId: 'o-2', status: 'REFUSED', reason: 'an order line has no sku' } });
});

test('a small order takes the other branch: no discount', async () => {
  const result = await run({ orderId: 'o-3', currency: 'USD', lines: [{ sku: 'a', quantity: 1, unitCents: 250 }] }, '--json');
  expect(JSON.parse(result.stdout)).toMatchObject({ status: 'SUCCEEDED', output: { orderId: 'o-3', lines: 1, total: 250, currency: 'USD' } });
});

test('a line without the field an expression reads fails the task with States.QueryEvaluationError, which the catcher of MissingSku does not take', async () => {
  const result = await run({ orderId: 'o-4', lines: [{ quantity: 1, unitCents: 100 }] });
  expect(result.code).toBe(1);
  expect(result.stderr).toContain("cause: The JSONata expression '{% $states.input.sku %}' specified for the field 'Arguments.Payload.sku' returned an unsupported result type.");
  expect(result.stderr).toContain('execution FAILED: States.QueryEvaluationError');
});
