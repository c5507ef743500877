import {
  DeleteItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { allStates } from '../assembly/definition-states';
import { awsSdkHandler } from './aws-sdk-integrations';
import { CALLBACK_INTEGRATIONS, callbackCall, CallbackAttempt, waitingForTaskToken } from './callback-tasks';
import { putEvents, TaskEvents } from './event-integrations';
import { optimisedIntegrationError, withSdkMetadata } from './integration-responses';
import { payloadOverLimit } from './interpreter';
import { LocalLambdaRuntime } from './local-lambda';
import type { LocalSnsSqs } from './local-sns-sqs';
import { publish, sendMessage } from './sns-sqs-integrations';
import { nestedIntegrationOf, NestedExecutionEngine, startNestedExecution } from './step-functions-integrations';

// Public through the './local' entry before it moved beside the other readers of a synthesized app.
export { allStates };

type JsonValue = any;
/** A Task state's local handler: its input (after Parameters or Arguments), and for a callback task its attempt. */
type TaskHandler = (input: JsonValue, attempt?: CallbackAttempt) => Promise<JsonValue>;

/** The engines the local run has for Task states. */
export interface LocalEngines {
  readonly lambda: LocalLambdaRuntime;
  readonly dynamodb: DynamoDBClient;
  /** The local SNS, SQS and S3, when the stack has topics, queues or buckets. @default - none: their tasks are refused */
  readonly snsSqs?: LocalSnsSqs;
  /** Where `events:putEvents` puts the events of the execution. @default - none: its tasks are refused */
  readonly events?: TaskEvents;
  /** Where `states:startExecution` tasks start their children. @default - none: their tasks are refused */
  readonly nested?: NestedExecutionEngine;
}

/** A definition has Task states whose integration the local run cannot emulate; nothing of it was run. */
export class UnsupportedIntegrationError extends Error {
  constructor(readonly states: readonly { state: string; resource: string }[]) {
    super(`the local run cannot emulate these tasks: ${states.map((s) => `${s.state} (${s.resource})`).join(', ')}`);
    this.name = 'UnsupportedIntegrationError';
  }
}

const DYNAMODB_COMMANDS: Record<string, new (input: any) => any> = {
  putItem: PutItemCommand,
  getItem: GetItemCommand,
  deleteItem: DeleteItemCommand,
  updateItem: UpdateItemCommand,
};

/**
 * A local handler for every Task state of `definition` (nested Map and Parallel
 * states included), keyed by state name as aws-local-stepfunctions expects.
 * Throws {@link UnsupportedIntegrationError} naming every task it cannot run, before anything runs.
 */
export function taskHandlersFor(definition: any, engines: LocalEngines): Record<string, TaskHandler> {
  const handlers: Record<string, TaskHandler> = {};
  const unsupported: { state: string; resource: string }[] = [];
  for (const [name, state] of allStates(definition)) {
    if (state.Type !== 'Task') continue;
    const handler = handlerFor(name, String(state.Resource), engines);
    if (handler) handlers[name] = withinPayloadQuota(name, handler);
    else unsupported.push({ state: name, resource: String(state.Resource) });
  }
  if (unsupported.length > 0) throw new UnsupportedIntegrationError(unsupported);
  return handlers;
}

/**
 * The handler, failing with `States.DataLimitExceeded` inside the task when its input (after `Parameters`) or its
 * result is over the payload quota, as Step Functions does: the state's `Retry` and `Catch` see the error.
 */
function withinPayloadQuota(state: string, handler: TaskHandler): TaskHandler {
  return async (input, attempt) => {
    const inputOver = payloadOverLimit(input, `the input of task '${state}'`);
    if (inputOver) throw inputOver;
    const result = await handler(input, attempt);
    const resultOver = payloadOverLimit(result, `the result of task '${state}'`);
    if (resultOver) throw resultOver;
    return result;
  };
}

function handlerFor(state: string, resource: string, engines: LocalEngines): TaskHandler | undefined {
  const callback = callbackCall(resource);
  if (callback !== undefined) {
    const call = CALLBACK_INTEGRATIONS.has(callback.replace(/^arn:[^:]+:states:::/, '')) ? handlerFor(state, callback, engines) : undefined;
    return call && waitingForTaskToken(call);
  }
  // Direct function ARN: the task's result is the function's payload.
  if (/^arn:[^:]+:lambda:[^:]*:[^:]*:function:/.test(resource)) {
    return (input) => engines.lambda.invoke(resource, input);
  }
  const nested = nestedIntegrationOf(resource);
  if (nested && engines.nested) return (input) => startNestedExecution(engines.nested!, state, nested, input);
  const awsSdk = resource.match(/^arn:[^:]+:states:::aws-sdk:([a-z0-9]+):([A-Za-z0-9]+)$/);
  if (awsSdk) return awsSdkHandler(awsSdk[1], awsSdk[2], engines);
  const integration = resource.match(/^arn:[^:]+:states:::([a-z0-9]+):([A-Za-z]+)$/);
  if (!integration) return undefined;
  const [, service, action] = integration;
  if (service === 'lambda' && action === 'invoke') {
    // The optimized integration wraps the payload in the Invoke API response.
    return async (input) => ({
      ExecutedVersion: '$LATEST',
      Payload: await engines.lambda.invoke(input.FunctionName, invokePayload(input.Payload)),
      StatusCode: 200,
    });
  }
  const { snsSqs, events } = engines;
  if (service === 'sns' && action === 'publish' && snsSqs) return (input) => publish(snsSqs, input);
  if (service === 'sqs' && action === 'sendMessage' && snsSqs) return (input) => sendMessage(snsSqs, input);
  if (service === 'events' && action === 'putEvents' && events) return (input) => putEvents(events, state, input);
  const Command = service === 'dynamodb' ? DYNAMODB_COMMANDS[action] : undefined;
  if (Command) return (input) => callDynamoDb(engines.dynamodb, Command, input);
  return undefined;
}

/**
 * The event a function gets from `lambda:invoke`'s `Payload`: `{}` when there is none (null or absent), and a string
 * as the request body itself, which Lambda reads as JSON.
 */
function invokePayload(payload: JsonValue): JsonValue {
  if (payload === undefined || payload === null) return {};
  if (typeof payload !== 'string') return payload;
  try {
    return JSON.parse(payload);
  } catch {
    const error = new Error(`Could not parse request body into json: ${payload.slice(0, 80)}`);
    error.name = 'Lambda.InvalidRequestContentException';
    throw error;
  }
}

/**
 * DynamoDB exceptions Step Functions reports under their own name (`DynamoDB.<name>`); any other (a validation
 * error, for one) is `DynamoDB.AmazonDynamoDBException`, its error code in the cause.
 */
const NAMED_DYNAMODB_ERRORS = new Set([
  'ConditionalCheckFailedException', 'ProvisionedThroughputExceededException', 'ResourceNotFoundException',
  'ItemCollectionSizeLimitExceededException', 'TransactionConflictException', 'RequestLimitExceeded', 'InternalServerError',
]);

const DYNAMODB = {
  prefix: 'DynamoDB', javaService: 'AmazonDynamoDBv2', baseException: 'AmazonDynamoDBException', named: (name: string) => NAMED_DYNAMODB_ERRORS.has(name),
};

async function callDynamoDb(client: DynamoDBClient, Command: new (input: any) => any, input: JsonValue): Promise<JsonValue> {
  try {
    return withSdkMetadata(await client.send(new Command(input)));
  } catch (error) {
    throw optimisedIntegrationError(error, DYNAMODB);
  }
}

