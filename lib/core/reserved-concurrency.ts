import { Stack, Token } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct, IConstruct } from 'constructs';

/**
 * Context key of the account's concurrent-executions quota the reserved-concurrency
 * budget is checked against, for accounts whose quota was raised.
 */
export const ACCOUNT_CONCURRENCY_CONTEXT_KEY = 'serverless-distributed-processing:accountConcurrencyLimit';
/** A new account's quota of concurrent executions per region. */
export const DEFAULT_ACCOUNT_CONCURRENCY = 1000;
/** Lambda refuses a reservation that leaves fewer than this many executions unreserved. */
export const MIN_UNRESERVED_CONCURRENCY = 100;

const BUDGET_REGISTERED = Symbol.for('serverless-distributed-processing.reservedConcurrencyBudget');

/**
 * Adds, once per app, a synth-time check that the functions of each account and
 * region (env-agnostic stacks counted together) leave at least 100 concurrent
 * executions unreserved. Lambda would reject the last reservation at deploy,
 * after part of the app is already deployed.
 */
export function checkReservedConcurrencyBudget(scope: Construct): void {
  const root = scope.node.root as IConstruct & { [BUDGET_REGISTERED]?: boolean };
  if (root[BUDGET_REGISTERED]) return;
  root[BUDGET_REGISTERED] = true;
  root.node.addValidation({ validate: () => budgetProblems(root) });
}

function budgetProblems(root: IConstruct): string[] {
  const configured = root.node.tryGetContext(ACCOUNT_CONCURRENCY_CONTEXT_KEY);
  const accountLimit = configured === undefined ? DEFAULT_ACCOUNT_CONCURRENCY : Number(configured);
  if (!Number.isInteger(accountLimit) || accountLimit < MIN_UNRESERVED_CONCURRENCY) {
    return [`context '${ACCOUNT_CONCURRENCY_CONTEXT_KEY}' must be the account's concurrent-executions quota, an integer of at least ${MIN_UNRESERVED_CONCURRENCY} (got ${JSON.stringify(configured)})`];
  }
  const reservable = accountLimit - MIN_UNRESERVED_CONCURRENCY;
  const byEnvironment = new Map<string, { total: number; functions: Array<[string, number]> }>();
  for (const construct of root.node.findAll()) {
    if (!lambda.CfnFunction.isCfnFunction(construct)) continue;
    const reserved = construct.reservedConcurrentExecutions;
    if (typeof reserved !== 'number' || Token.isUnresolved(reserved)) continue;
    const stack = Stack.of(construct);
    const environment = Token.isUnresolved(stack.account) || Token.isUnresolved(stack.region)
      ? 'the default account and region'
      : `account ${stack.account} in ${stack.region}`;
    const entry = byEnvironment.get(environment) ?? { total: 0, functions: [] };
    entry.total += reserved;
    entry.functions.push([construct.node.path, reserved]);
    byEnvironment.set(environment, entry);
  }
  return [...byEnvironment].filter(([, { total }]) => total > reservable).map(([environment, { total, functions }]) => {
    const largest = functions.sort((a, b) => b[1] - a[1]).slice(0, 3).map(([p, n]) => `${p} ${n}`).join(', ');
    return `the functions in ${environment} reserve ${total} concurrent executions; an account limit of ${accountLimit} `
      + `must keep ${MIN_UNRESERVED_CONCURRENCY} unreserved, so at most ${reservable} can be reserved (largest: ${largest}). `
      + `Lower their reservedConcurrency, or set the context '${ACCOUNT_CONCURRENCY_CONTEXT_KEY}' to the account's raised quota`;
  });
}
