import { Duration, Stack } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { fixtureApp, fixtureFunction } from './fixture-function';

export const JSONATA_FIXTURE_STACK = 'Orders';

/**
 * A user's app written with aws-cdk-lib's JSONata states and workflow variables, none of this library's constructs:
 * an order is priced line by line by a function (a Map with Items and ItemSelector), the total kept in a variable,
 * a Choice on a JSONata condition gives a discount, and a line the function refuses is caught with the catcher's
 * Output and Assign. Synthesized into a temporary assembly; returns its directory.
 */
export function synthesizeJsonataFixture(): string {
  const { assemblyDir, app } = fixtureApp('jsonata');
  const stack = new Stack(app, JSONATA_FIXTURE_STACK);
  const priceLine = fixtureFunction(stack, 'PriceLine', 'price-line.ts', { timeout: Duration.seconds(5) });

  const start = sfn.Pass.jsonata(stack, 'Start', {
    assign: { orderId: '{% $states.input.orderId %}', currency: '{% $states.input.currency ? $states.input.currency : "EUR" %}' },
  });
  const price = tasks.LambdaInvoke.jsonata(stack, 'Price', {
    lambdaFunction: priceLine,
    payload: sfn.TaskInput.fromObject({ sku: '{% $states.input.sku %}', quantity: '{% $states.input.quantity %}', unitCents: '{% $states.input.unitCents %}' }),
    outputs: '{% $states.result.Payload %}',
    retryOnServiceExceptions: false,
  });
  const priceEach = sfn.Map.jsonata(stack, 'PriceEach', {
    items: sfn.ProvideItems.jsonata('{% $states.input.lines[quantity > 0][] %}'),
    jsonataItemSelector: '{% $merge([$states.context.Map.Item.Value, {"line": $states.context.Map.Item.Index}]) %}',
    maxConcurrency: 2,
    assign: { total: '{% $sum($states.result.cents) %}', lines: '{% $count($states.result) %}' },
    outputs: { priced: '{% $states.result %}' },
  });
  priceEach.itemProcessor(price);
  const refused = sfn.Pass.jsonata(stack, 'Refused', {
    outputs: { orderId: '{% $orderId %}', status: 'REFUSED', reason: '{% $reason %}' },
  });
  priceEach.addCatch(refused, {
    errors: ['MissingSku'],
    outputs: { error: '{% $states.errorOutput.Error %}' },
    // A function's error arrives as Lambda reports it: the cause is the error's JSON.
    assign: { reason: '{% $parse($states.errorOutput.Cause).errorMessage %}' },
  });
  const discount = sfn.Pass.jsonata(stack, 'Discount', { assign: { total: '{% $round($total * 0.9) %}' } });
  const done = sfn.Succeed.jsonata(stack, 'Done', {
    outputs: { orderId: '{% $orderId %}', status: 'PRICED', lines: '{% $lines %}', total: '{% $total %}', currency: '{% $currency %}' },
  });
  const big = sfn.Choice.jsonata(stack, 'Big order?')
    .when(sfn.Condition.jsonata('{% $total >= 10000 %}'), discount.next(done))
    .otherwise(done);

  new sfn.StateMachine(stack, 'PriceOrder', {
    queryLanguage: sfn.QueryLanguage.JSONATA,
    definitionBody: sfn.DefinitionBody.fromChainable(start.next(priceEach).next(big)),
  });
  app.synth();
  return assemblyDir;
}
