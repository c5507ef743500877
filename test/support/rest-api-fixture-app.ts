import { Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { ApiTrigger } from '../../lib';
import { fixtureApp } from './fixture-function';

export const REST_API_FIXTURE_STACK = 'RestApiFixture';
/** The value of the `Items` API's key, set in the template so the local API knows it. */
export const KNOWN_API_KEY = 'local-fixture-key-0123456789';

/**
 * REST APIs `sdp serve` runs beyond the example app's, synthesized into a temporary assembly:
 * - `Quotes`: an ApiTrigger calling StartSyncExecution on an Express workflow, with `authorization: 'API_KEY'` (a generated key);
 * - `Items`: a LambdaRestApi (stage `prod` with the variable `greeting`; `ANY /{proxy+}` → the `Items` function,
 *   proxy integration), plus `GET /status`, a MOCK integration needing an API key whose value the template sets and
 *   a `page` query parameter, `POST /legacy`, the same function through a (non-proxy) Lambda integration with
 *   templates, and `GET /elsewhere`, an HTTP integration sdp serve does not run; its gateway responses add a CORS
 *   header to every 4XX and make a missing route a 404 with a template of its own.
 */
export function synthesizeRestApiFixture(): string {
  const { assemblyDir, app } = fixtureApp('rest-api');
  const stack = new Stack(app, REST_API_FIXTURE_STACK);

  const quotes = new sfn.StateMachine(stack, 'QuoteMachine', {
    stateMachineType: sfn.StateMachineType.EXPRESS,
    definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'Quote')),
  });
  new ApiTrigger(stack, 'Quotes', {
    stateMachine: quotes,
    synchronous: true,
    authorization: 'API_KEY',
    inputSchema: { type: apigateway.JsonSchemaType.OBJECT, required: ['orderId'], properties: { orderId: { type: apigateway.JsonSchemaType.STRING } } },
  });

  const items = new lambda.Function(stack, 'Items', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200, body: "" });'),
  });
  // proxy: false only so the API can have other resources; `{proxy+}` is the proxy resource `proxy: true` would make.
  const api = new apigateway.LambdaRestApi(stack, 'ItemsApi', { handler: items, proxy: false, deployOptions: { stageName: 'prod', variables: { greeting: 'hi' } } });
  api.root.addProxy();
  api.root.addResource('status').addMethod('GET', new apigateway.MockIntegration({
    requestTemplates: { 'application/json': '{"statusCode": 200}' },
    integrationResponses: [{
      statusCode: '200',
      responseTemplates: { 'application/json': '{"status": "up", "page": "$input.params(\'page\')", "requestId": "$context.requestId"}' },
      responseParameters: { 'method.response.header.Cache-Control': "'no-store'" },
    }],
  }), {
    apiKeyRequired: true,
    requestParameters: { 'method.request.querystring.page': true },
    requestValidatorOptions: { validateRequestParameters: true },
    methodResponses: [{ statusCode: '200', responseParameters: { 'method.response.header.Cache-Control': true } }],
  });
  api.root.addResource('elsewhere').addMethod('GET', new apigateway.HttpIntegration('https://example.com/'));
  api.root.addResource('legacy').addMethod('POST', new apigateway.LambdaIntegration(items, {
    proxy: false,
    requestTemplates: { 'application/json': '{"name": $input.json(\'$.name\'), "stage": "$context.stage", "greeting": "$stageVariables.greeting"}' },
    integrationResponses: [
      { statusCode: '200' },
      { statusCode: '400', selectionPattern: 'Invalid name.*', responseTemplates: { 'application/json': '{"error": $input.json(\'$.errorMessage\')}' } },
    ],
  }), { methodResponses: [{ statusCode: '200' }, { statusCode: '400' }] });
  api.addGatewayResponse('Any4xx', { type: apigateway.ResponseType.DEFAULT_4XX, responseHeaders: { 'Access-Control-Allow-Origin': "'*'" } });
  api.addGatewayResponse('NoRoute', {
    type: apigateway.ResponseType.MISSING_AUTHENTICATION_TOKEN,
    statusCode: '404',
    templates: { 'application/json': '{"error": $context.error.messageString, "type": "$context.error.responseType", "path": "$context.path"}' },
  });
  const key = api.addApiKey('ItemsKey', { value: KNOWN_API_KEY });
  api.addUsagePlan('ItemsPlan', { apiStages: [{ api, stage: api.deploymentStage }] }).addApiKey(key);

  app.synth();
  return assemblyDir;
}
