import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { ApiTrigger, ApiTriggerProps } from '../../lib';
import { escapeJavaScript, MappingTemplateInput, renderMappingTemplate } from '../../tools/local/rest-api/mapping-template';
import { resolveIntrinsics } from '../support/resolve-intrinsics';
import { expectValidationError } from '../support/validation-error';

const ORDER_SCHEMA: apigateway.JsonSchema = {
  type: apigateway.JsonSchemaType.OBJECT,
  required: ['orderId'],
  properties: {
    orderId: { type: apigateway.JsonSchemaType.STRING, minLength: 1 },
    note: { type: apigateway.JsonSchemaType.STRING },
  },
};
const MACHINE_ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:Orders';
const EXECUTION_ARN = 'arn:aws:states:eu-west-1:123456789012:execution:Orders:order-42';

/** A state machine that passes cdk-nag itself, so the findings left are the trigger's. */
function machine(stack: Stack, type: sfn.StateMachineType): sfn.StateMachine {
  const stateMachine = new sfn.StateMachine(stack, 'Machine', {
    stateMachineType: type,
    definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'Nothing')),
    tracingEnabled: true,
    logs: { destination: new logs.LogGroup(stack, 'MachineLogs', { retention: logs.RetentionDays.ONE_WEEK }), level: sfn.LogLevel.ALL },
  });
  Validations.of(stateMachine.role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'Test fixture: log delivery to CloudWatch Logs needs Resource::* (CDK grants it for logs.destination).',
  });
  return stateMachine;
}

// One app with the nag packs, synthesized once: the Standard fixture with defaults, and a synchronous
// Express one with API keys.
const app = new App();
Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
const standardStack = new Stack(app, 'ApiTriggerStandard');
const standardMachine = machine(standardStack, sfn.StateMachineType.STANDARD);
const standard = new ApiTrigger(standardStack, 'Orders', { stateMachine: standardMachine, inputSchema: ORDER_SCHEMA });
const invoker = new iam.Role(standardStack, 'Invoker', { assumedBy: new iam.AccountRootPrincipal() });
standard.grantInvoke(invoker);
Validations.of(invoker).acknowledge({
  id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:<OrdersApiA821092D>/v1/GET/executions/*]',
  reason: 'Test caller: ApiTrigger.grantInvoke allows GET /executions/{any execution name}, the route it exists to call.',
});
const syncStack = new Stack(app, 'ApiTriggerSync');
const expressMachine = machine(syncStack, sfn.StateMachineType.EXPRESS);
const sync = new ApiTrigger(syncStack, 'Quotes', {
  stateMachine: expressMachine,
  inputSchema: ORDER_SCHEMA,
  synchronous: true,
  authorization: 'API_KEY',
  apiKeyQuota: { limit: 1000, period: apigateway.Period.DAY },
  apiKeyThrottle: { rateLimit: 5, burstLimit: 10 },
  throttlingRateLimit: 20,
  throttlingBurstLimit: 40,
  stageName: 'live',
});
const nagResult = (() => {
  try {
    app.synth();
    return 'no unacknowledged findings';
  } catch (error) {
    return (error as Error).message;
  }
})();
const standardTemplate = Template.fromStack(standardStack);
const syncTemplate = Template.fromStack(syncStack);

/** The integration of `httpMethod` in `template`, with intrinsics resolved as if the state machine were `Orders`. */
function integrationOf(template: Template, stack: Stack, stateMachine: sfn.StateMachine, httpMethod: string) {
  const methods = Object.values(template.findResources('AWS::ApiGateway::Method', { Properties: { HttpMethod: httpMethod } }));
  expect(methods).toHaveLength(1);
  const refs = { [stack.getLogicalId(stateMachine.node.defaultChild as sfn.CfnStateMachine)]: MACHINE_ARN };
  const integration = methods[0].Properties.Integration;
  const responses: Array<{ StatusCode: string; SelectionPattern?: string; ResponseTemplates: Record<string, string> }> = integration.IntegrationResponses;
  const responseTemplate = (pattern?: string) => responses.find((r) => r.SelectionPattern === pattern)!.ResponseTemplates['application/json'];
  return {
    request: (input: MappingTemplateInput) => renderMappingTemplate(resolveIntrinsics(integration.RequestTemplates['application/json'], refs), input),
    success: (answer: unknown) => renderMappingTemplate(responseTemplate(undefined), { body: JSON.stringify(answer), context: { requestId: 'req-1' } }),
    clientError: (answer: unknown) => renderMappingTemplate(responseTemplate('4\\d{2}'), { body: JSON.stringify(answer), context: { requestId: 'req-1' } }),
    serverError: (answer: unknown) => renderMappingTemplate(responseTemplate('5\\d{2}'), { body: JSON.stringify(answer), context: { requestId: 'req-1' } }),
  };
}
const sfnError = (type: string, message = 'details') => ({ __type: `com.amazonaws.swf.service.v2.model#${type}`, message });

function messageOf(props: Partial<ApiTriggerProps>, type = sfn.StateMachineType.STANDARD): string {
  const stack = new Stack(new App(), 'Invalid');
  const stateMachine = new sfn.StateMachine(stack, 'Machine', {
    stateMachineType: type,
    definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'Nothing')),
  });
  return expectValidationError(() => new ApiTrigger(stack, 'Orders', { stateMachine, inputSchema: ORDER_SCHEMA, ...props })).message;
}

test('passes cdk-nag AwsSolutions and Serverless with its acknowledgements', () => {
  expect(nagResult).toBe('no unacknowledged findings');
});

test('snapshots: Standard with IAM, synchronous Express with API keys', () => {
  expect(standardTemplate.toJSON()).toMatchSnapshot();
  expect(syncTemplate.toJSON()).toMatchSnapshot();
});

describe('Standard workflow, defaults', () => {
  test('POST /executions calls StartExecution and GET /executions/{id} DescribeExecution, both with IAM authorization and the own role', () => {
    for (const [httpMethod, action] of [['POST', 'StartExecution'], ['GET', 'DescribeExecution']]) {
      standardTemplate.hasResourceProperties('AWS::ApiGateway::Method', {
        HttpMethod: httpMethod,
        AuthorizationType: 'AWS_IAM',
        RequestValidatorId: { Ref: Match.stringLikeRegexp('^OrdersApiValidator') },
        Integration: {
          Type: 'AWS',
          IntegrationHttpMethod: 'POST',
          PassthroughBehavior: 'NEVER',
          Credentials: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OrdersIntegrationRole'), 'Arn'] },
          Uri: { 'Fn::Join': ['', Match.arrayWith([`:states:action/${action}`])] },
          // selectionPattern matches Step Functions' HTTP status; the 4XX template refines the status.
          IntegrationResponses: [
            Match.objectLike({ StatusCode: '200', SelectionPattern: Match.absent() }),
            Match.objectLike({ StatusCode: '400', SelectionPattern: '4\\d{2}' }),
            Match.objectLike({ StatusCode: '500', SelectionPattern: '5\\d{2}' }),
          ],
        },
      });
    }
    standardTemplate.resourceCountIs('AWS::ApiGateway::Method', 2);
    standardTemplate.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      RequestModels: { 'application/json': { Ref: Match.stringLikeRegexp('^OrdersApiInputModel') } },
      RequestParameters: { 'method.request.header.Idempotency-Key': false },
    });
    standardTemplate.hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: 'GET', RequestParameters: { 'method.request.path.id': true } });
    standardTemplate.hasResourceProperties('AWS::ApiGateway::RequestValidator', { ValidateRequestBody: true, ValidateRequestParameters: true });
    standardTemplate.hasResourceProperties('AWS::ApiGateway::RestApi', { EndpointConfiguration: { Types: ['REGIONAL'] } });
  });

  test('the integration role may start this state machine and describe its executions, nothing more', () => {
    const machineRef = { Ref: standardStack.getLogicalId(standardMachine.node.defaultChild as sfn.CfnStateMachine) };
    standardTemplate.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'apigateway.amazonaws.com' } })] },
      Description: Match.stringLikeRegexp('start and describe executions'),
    });
    standardTemplate.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^OrdersIntegrationRole') }],
      PolicyDocument: {
        Statement: [
          { Effect: 'Allow', Action: 'states:StartExecution', Resource: machineRef },
          {
            Effect: 'Allow',
            Action: 'states:DescribeExecution',
            Resource: { 'Fn::Join': ['', Match.arrayWith([':execution:', { 'Fn::Select': [6, { 'Fn::Split': [':', machineRef] }] }, ':*'])] },
          },
        ],
      },
    });
  });

  test('the stage is throttled, traced, logs errors and metrics, and writes JSON access logs kept three months', () => {
    standardTemplate.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'v1',
      TracingEnabled: true,
      AccessLogSetting: {
        DestinationArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OrdersAccessLogs'), 'Arn'] },
        Format: Match.stringLikeRegexp('^\\{"requestId":"\\$context.requestId"'),
      },
      MethodSettings: [{
        HttpMethod: '*', ResourcePath: '/*', LoggingLevel: 'ERROR', DataTraceEnabled: false, MetricsEnabled: true, ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100,
      }],
    });
    standardTemplate.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
    // The account-level logging role, chosen explicitly; kept when the stack goes because the setting is account-wide.
    standardTemplate.hasResource('AWS::ApiGateway::Account', { DeletionPolicy: 'Retain' });
  });

  test('the model is the input schema with additionalProperties false', () => {
    standardTemplate.hasResourceProperties('AWS::ApiGateway::Model', {
      ContentType: 'application/json',
      Schema: {
        $schema: 'http://json-schema.org/draft-04/schema#',
        type: 'object',
        required: ['orderId'],
        properties: { orderId: { type: 'string', minLength: 1 }, note: { type: 'string' } },
        additionalProperties: false,
      },
    });
  });

  test('grantInvoke allows execute-api:Invoke on the two routes of the stage', () => {
    const api = { Ref: Match.stringLikeRegexp('^OrdersApi[0-9A-F]{8}$') };
    const route = (tail: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':execute-api:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':', api, tail]] });
    standardTemplate.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^Invoker') }],
      PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: [route('/v1/POST/executions'), route('/v1/GET/executions/*')] }] },
    });
  });

  test('no API key or usage plan', () => {
    standardTemplate.resourceCountIs('AWS::ApiGateway::ApiKey', 0);
    standardTemplate.resourceCountIs('AWS::ApiGateway::UsagePlan', 0);
  });
});

describe('synchronous Express workflow with API keys', () => {
  test('POST /executions calls StartSyncExecution, needs an API key, and there is no GET route', () => {
    syncTemplate.resourceCountIs('AWS::ApiGateway::Method', 1);
    syncTemplate.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      AuthorizationType: 'NONE',
      ApiKeyRequired: true,
      Integration: { Uri: { 'Fn::Join': ['', Match.arrayWith([':states:action/StartSyncExecution'])] } },
    });
    syncTemplate.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^QuotesIntegrationRole') }],
      PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'states:StartSyncExecution', Resource: { Ref: Match.stringLikeRegexp('^Machine') } }] },
    });
  });

  test('an API key in a usage plan with its quota and throttle on the stage, which has its own limits', () => {
    syncTemplate.resourceCountIs('AWS::ApiGateway::ApiKey', 1);
    syncTemplate.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      ApiStages: [{ ApiId: { Ref: Match.stringLikeRegexp('^QuotesApi') }, Stage: { Ref: Match.stringLikeRegexp('^QuotesApiDeploymentStagelive') } }],
      Quota: { Limit: 1000, Period: 'DAY' },
      Throttle: { RateLimit: 5, BurstLimit: 10 },
    });
    syncTemplate.hasResourceProperties('AWS::ApiGateway::UsagePlanKey', { KeyId: { Ref: Match.stringLikeRegexp('^QuotesApiKey') }, KeyType: 'API_KEY' });
    syncTemplate.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'live',
      MethodSettings: [Match.objectLike({ ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 })],
    });
    expect(syncStack.resolve(sync.apiKey!.keyId)).toEqual({ Ref: Object.keys(syncTemplate.findResources('AWS::ApiGateway::ApiKey'))[0] });
  });

  test('a web ACL is associated with the stage when given, and the account role can be left out', () => {
    const stack = new Stack(new App(), 'Waf');
    const webAclArn = 'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/orders/0a1b2c3d';
    new ApiTrigger(stack, 'Orders', { stateMachine: machine(stack, sfn.StateMachineType.STANDARD), inputSchema: ORDER_SCHEMA, webAclArn, cloudWatchRole: false });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::WAFv2::WebACLAssociation', { WebACLArn: webAclArn });
    template.resourceCountIs('AWS::ApiGateway::Account', 0);
  });
});

describe('mapping templates, rendered', () => {
  const start = integrationOf(standardTemplate, standardStack, standardMachine, 'POST');
  const describeExecution = integrationOf(standardTemplate, standardStack, standardMachine, 'GET');
  const startSync = integrationOf(syncTemplate, syncStack, expressMachine, 'POST');
  const body = { orderId: 'order-42', note: 'He said "hi"\nit\'s café ☕ 😀 </script> C:\\temp\ttab \u0001' };

  test('POST without Idempotency-Key: the body, stringified, is the input; no name', () => {
    const request = start.request({ body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } }).json();
    expect(request).toEqual({ stateMachineArn: MACHINE_ARN, input: expect.any(String) });
    expect(JSON.parse(request.input)).toEqual(body);
  });

  test('POST with Idempotency-Key (any header case): it is the execution name', () => {
    const request = start.request({ body: JSON.stringify(body), headers: { 'idempotency-key': 'order-42' } }).json();
    expect(request).toEqual({ stateMachineArn: MACHINE_ARN, name: 'order-42', input: JSON.stringify(body) });
  });

  test('a key with quotes or backslashes stays inside the name string (Step Functions then answers InvalidName, a 400)', () => {
    const key = 'a"b\\c\'d';
    expect(start.request({ body: '{"orderId":"1"}', headers: { 'Idempotency-Key': key } }).json().name).toBe(key);
  });

  test('StartExecution answer → 200 { executionArn, startDate }', () => {
    expect(start.success({ executionArn: EXECUTION_ARN, startDate: 1.717171717123E9 }).json()).toEqual({ executionArn: EXECUTION_ARN, startDate: 1717171717.123 });
  });

  test('ExecutionAlreadyExists → 409, InvalidName → 400, throttling → 429, AccessDenied → 500, a Step Functions 5XX → 500', () => {
    const conflict = start.clientError(sfnError('ExecutionAlreadyExists'));
    expect(conflict.statusOverride).toBe(409);
    expect(conflict.json()).toEqual({ error: 'ExecutionAlreadyExists', message: expect.stringContaining('GET /executions/{Idempotency-Key}'), requestId: 'req-1' });
    const invalidName = start.clientError(sfnError('InvalidName'));
    expect([invalidName.statusOverride, invalidName.json().error]).toEqual([400, 'InvalidIdempotencyKey']);
    expect(start.clientError(sfnError('ExecutionLimitExceeded')).statusOverride).toBe(429);
    expect(start.clientError(sfnError('ThrottlingException')).statusOverride).toBe(429);
    const denied = start.clientError({ __type: 'AccessDeniedException', message: 'not authorized' });
    expect([denied.statusOverride, denied.json().error]).toEqual([500, 'InternalError']);
    const unavailable = start.serverError(sfnError('ServiceUnavailable'));
    expect([unavailable.statusOverride, unavailable.json().error]).toEqual([undefined, 'InternalError']); // the 5XX response is a 500 already
  });

  test('GET /executions/{id}: the execution ARN is built from the state machine ARN and the id', () => {
    expect(describeExecution.request({ path: { id: 'order-42' } }).json()).toEqual({ executionArn: EXECUTION_ARN });
  });

  test('DescribeExecution of a finished execution → status, dates and the output as JSON', () => {
    const answer = {
      executionArn: EXECUTION_ARN, stateMachineArn: MACHINE_ARN, name: 'order-42', status: 'SUCCEEDED',
      startDate: 1717171717.1, stopDate: 1717171720.5, input: '{"orderId":"order-42"}', output: '{"total":3,"items":["a"]}',
    };
    expect(describeExecution.success(answer).json()).toEqual({
      executionArn: EXECUTION_ARN, name: 'order-42', status: 'SUCCEEDED', startDate: 1717171717.1, stopDate: 1717171720.5,
      output: { total: 3, items: ['a'] }, error: null, cause: null,
    });
  });

  test('DescribeExecution of a running or failed execution → no output; error and cause when failed', () => {
    const running = { executionArn: EXECUTION_ARN, name: 'order-42', status: 'RUNNING', startDate: 1717171717.1 };
    expect(describeExecution.success(running).json()).toEqual({ ...running, stopDate: null, output: null, error: null, cause: null });
    const failed = { ...running, status: 'FAILED', stopDate: 1717171720.5, error: 'OrderRejected', cause: 'no "stock"' };
    expect(describeExecution.success(failed).json()).toEqual({ ...failed, output: null });
  });

  test('ExecutionDoesNotExist → 404, and so does an id that makes no valid ARN', () => {
    const missing = describeExecution.clientError(sfnError('ExecutionDoesNotExist'));
    expect(missing.statusOverride).toBe(404);
    expect(missing.json()).toEqual({ error: 'ExecutionDoesNotExist', message: 'This state machine has no execution of that name', requestId: 'req-1' });
    expect(describeExecution.clientError(sfnError('InvalidArn')).statusOverride).toBe(404);
  });

  test('synchronous POST: no name even with an Idempotency-Key; the result is the output, a failure is a 500', () => {
    const request = startSync.request({ body: JSON.stringify(body), headers: { 'Idempotency-Key': 'k' } }).json();
    expect(request).toEqual({ stateMachineArn: MACHINE_ARN, input: JSON.stringify(body) });
    const succeeded = startSync.success({ executionArn: EXECUTION_ARN, status: 'SUCCEEDED', output: '{"price":12.5}' });
    expect([succeeded.statusOverride, succeeded.json()]).toEqual([undefined, { executionArn: EXECUTION_ARN, status: 'SUCCEEDED', output: { price: 12.5 } }]);
    const failed = startSync.success({ executionArn: EXECUTION_ARN, status: 'FAILED', error: 'States.TaskFailed', cause: 'boom' });
    expect([failed.statusOverride, failed.json()]).toEqual([500, { executionArn: EXECUTION_ARN, status: 'FAILED', error: 'States.TaskFailed', cause: 'boom' }]);
  });

  test('the helper escapes as $util.escapeJavaScript does (Commons Lang), including quotes a JSON string may not hold', () => {
    expect(escapeJavaScript('it\'s "é" / \\ \n ☕ 😀 \u0001')).toBe('it\\\'s \\"\\u00E9\\" \\/ \\\\ \\n \\u2615 \\uD83D\\uDE00 \\u0001');
  });
});

describe('validation: one test per rule', () => {
  test('inputSchema must describe an object', () => {
    expect(messageOf({ inputSchema: { type: apigateway.JsonSchemaType.ARRAY } }))
      .toBe("ApiTrigger 'Invalid/Orders': inputSchema.type must be 'object': the body becomes the execution input, a JSON object (got \"array\")");
  });
  test('inputSchema.additionalProperties must be false or unset', () => {
    expect(messageOf({ inputSchema: { ...ORDER_SCHEMA, additionalProperties: true } }))
      .toBe("ApiTrigger 'Invalid/Orders': inputSchema.additionalProperties must be false or unset, so unknown fields are rejected (got true)");
  });
  test('synchronous needs an Express state machine', () => {
    expect(messageOf({ synchronous: true }))
      .toBe("ApiTrigger 'Invalid/Orders': synchronous: true needs an EXPRESS state machine; StartSyncExecution does not run Invalid/Machine (got STANDARD)");
  });
  test('an Express state machine needs synchronous', () => {
    expect(messageOf({}, sfn.StateMachineType.EXPRESS))
      .toBe("ApiTrigger 'Invalid/Orders': an EXPRESS state machine needs synchronous: true; DescribeExecution and execution names do not serve Invalid/Machine (got synchronous: false)");
  });
  test('API key quota and throttle need API_KEY authorization', () => {
    expect(messageOf({ apiKeyQuota: { limit: 10, period: apigateway.Period.DAY } }))
      .toBe("ApiTrigger 'Invalid/Orders': apiKeyQuota and apiKeyThrottle need authorization: 'API_KEY' (got authorization: 'IAM')");
  });
  test('stage rate limit above 0 and at most 10000', () => {
    expect(messageOf({ throttlingRateLimit: 0 }))
      .toBe("ApiTrigger 'Invalid/Orders': throttlingRateLimit must be above 0 and at most 10000 requests per second (got 0)");
  });
  test('stage burst limit an integer 0..5000', () => {
    expect(messageOf({ throttlingBurstLimit: 5001 })).toBe("ApiTrigger 'Invalid/Orders': throttlingBurstLimit must be an integer 0..5000 (got 5001)");
  });
  test('stage name of letters, digits, - and _', () => {
    expect(messageOf({ stageName: 'v 1' })).toBe("ApiTrigger 'Invalid/Orders': stageName must be 1..128 letters, digits, '-' or '_' (got 'v 1')");
  });
  test('web ACL ARN of a regional WAFv2 web ACL', () => {
    expect(messageOf({ webAclArn: 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/x/1' }))
      .toBe("ApiTrigger 'Invalid/Orders': webAclArn must be the ARN of a regional WAFv2 web ACL (got 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/x/1')");
  });
  test('all problems are reported together', () => {
    expect(messageOf({ throttlingRateLimit: -1, throttlingBurstLimit: 1.5 })).toMatch(/invalid props:\n - throttlingRateLimit .*\n - throttlingBurstLimit /);
  });
});
