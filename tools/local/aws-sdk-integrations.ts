import * as dynamodb from '@aws-sdk/client-dynamodb';
import * as s3 from '@aws-sdk/client-s3';
import { awsSdkIntegrationError, exportedBy, jsonText } from './integration-responses';
import type { LocalEngines } from './task-integrations';

type JsonValue = any;

/** A service the local run calls for `arn:aws:states:::aws-sdk:<service>:<action>`: its engine and the actions it serves. */
interface AwsSdkService {
  /** The errors' prefix: the service name in PascalCase (`DynamoDb`, not the optimised integration's `DynamoDB`). */
  readonly name: string;
  readonly sdk: object;
  readonly actions: ReadonlySet<string>;
  readonly client: (engines: LocalEngines) => { send(command: any): Promise<any> } | undefined;
}

const AWS_SDK_SERVICES: Record<string, AwsSdkService> = {
  s3: {
    name: 'S3', sdk: s3, actions: new Set(['getObject', 'putObject', 'listObjectsV2']), client: (engines) => engines.snsSqs?.s3,
  },
  dynamodb: {
    name: 'DynamoDb', sdk: dynamodb, actions: new Set(['getItem', 'putItem', 'updateItem', 'deleteItem', 'query', 'scan']), client: (engines) => engines.dynamodb,
  },
};

/**
 * The handler of an AWS SDK integration the local run serves, or undefined: the request's parameters are the SDK's
 * (PascalCase), the result is the API response as the SDK returns it (no SDK metadata; an object's `Body` as a string),
 * and errors are named `<Service>.<Error>Exception`.
 * https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html
 */
export function awsSdkHandler(service: string, action: string, engines: LocalEngines): ((input: JsonValue) => Promise<JsonValue>) | undefined {
  const known = AWS_SDK_SERVICES[service];
  const client = known?.actions.has(action) ? known.client(engines) : undefined;
  if (!known || !client) return undefined;
  const Command = (known.sdk as Record<string, new (input: any) => any>)[`${action[0].toUpperCase()}${action.slice(1)}Command`];
  const modelled = exportedBy(known.sdk);
  return async (input) => {
    try {
      const { $metadata, ...response } = await client.send(new Command(requestOf(service, action, input)));
      const body = response.Body === undefined ? {} : { Body: await response.Body.transformToString() };
      // Dates as their ISO text, as in any JSON the execution passes on.
      return JSON.parse(JSON.stringify({ ...response, ...body }));
    } catch (error) {
      throw awsSdkIntegrationError(error, known.name, modelled);
    }
  };
}

/** The SDK request: an object's `Body` given as JSON is stored as its JSON text. */
function requestOf(service: string, action: string, input: JsonValue): JsonValue {
  return service === 's3' && action === 'putObject' && input.Body !== undefined ? { ...input, Body: jsonText(input.Body) } : input;
}
