import { Arn, ArnFormat, Names, Stack, Token, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct, IConstruct } from 'constructs';
import { PropValidator } from '../core/validation';
import {
  DESCRIBE_ERRORS, DESCRIBE_RESULT_TEMPLATE, describeExecutionTemplate, ErrorCase, errorTemplate, START_ERRORS, START_RESULT_TEMPLATE,
  startExecutionTemplate, SYNC_RESULT_TEMPLATE,
} from './api-mapping-templates';

/** How callers of an {@link ApiTrigger} authenticate. */
export type ApiTriggerAuthorization = 'IAM' | 'API_KEY';

/**
 * Properties for an {@link ApiTrigger}.
 *
 * Routes: `POST /executions` starts an execution with the request body as its input and answers
 * `200 { executionArn, startDate }` (`startDate` in epoch seconds, as Step Functions returns it).
 * `GET /executions/{id}` describes the execution named `{id}` (its ARN is the state machine's ARN with
 * `:stateMachine:` replaced by `:execution:` and `:{id}` appended) and answers
 * `200 { executionArn, name, status, startDate, stopDate, output, error, cause }`, `output` being the
 * execution's output as JSON (not a string) once it SUCCEEDED, and absent fields `null`.
 * A body the schema rejects gets API Gateway's own `400 { message }` before Step Functions is called.
 * Errors of Step Functions answer `{ error, message, requestId }`: 400 (InvalidName — the
 * Idempotency-Key is no valid execution name — or InvalidExecutionInput), 404 (ExecutionDoesNotExist),
 * 409 (ExecutionAlreadyExists), 429 (throttled, or too many running executions), 500 (anything else,
 * e.g. missing permissions; the access log and Step Functions tell why).
 */
export interface ApiTriggerProps {
  /** The state machine the API starts. Standard, or Express with `synchronous: true`. */
  readonly stateMachine: sfn.IStateMachine;
  /**
   * JSON schema (draft 4) of the request body, which becomes the execution input. Must be
   * `type: object`; `additionalProperties` must be `false` or unset (it is set to `false`), so
   * unknown fields are rejected with 400 before Step Functions is called.
   */
  readonly inputSchema: apigateway.JsonSchema;
  /**
   * Call `StartSyncExecution` (Express workflows only) and answer the result: 200
   * `{ executionArn, status: 'SUCCEEDED', output }`, or 500 `{ executionArn, status, error, cause }`
   * when the execution FAILED or TIMED_OUT. There is no `GET /executions/{id}` route then
   * (DescribeExecution does not serve Express workflows), and the `Idempotency-Key` header is ignored
   * (Express workflows do not deduplicate by name). API Gateway waits at most 29 s by default.
   * @default false - `StartExecution`, which answers at once with the execution ARN
   */
  readonly synchronous?: boolean;
  /**
   * `IAM`: every method needs a SigV4-signed request from a principal allowed `execute-api:Invoke`
   * (see `grantInvoke`). `API_KEY`: every method needs an `x-api-key` header with the key this
   * construct creates, whose usage plan applies `apiKeyQuota` and `apiKeyThrottle`.
   * @default 'IAM'
   */
  readonly authorization?: ApiTriggerAuthorization;
  /** Requests one API key may make per period; only with `authorization: 'API_KEY'`. @default - no quota */
  readonly apiKeyQuota?: apigateway.QuotaSettings;
  /** Rate and burst one API key may use; only with `authorization: 'API_KEY'`. @default - the stage throttling only */
  readonly apiKeyThrottle?: apigateway.ThrottleSettings;

  /** Name of the deployed stage, part of the URL. @default 'v1' */
  readonly stageName?: string;
  /** Steady-state requests per second the stage accepts, above 0 and at most 10,000. @default 50 */
  readonly throttlingRateLimit?: number;
  /** Requests the stage accepts in a burst, an integer 0..5000. @default 100 */
  readonly throttlingBurstLimit?: number;
  /** How long access log entries are kept. @default logs.RetentionDays.THREE_MONTHS */
  readonly accessLogRetention?: logs.RetentionDays;
  /** Fields of an access log entry; keep it JSON so it stays queryable. @default - AccessLogFormat.jsonWithStandardFields() with every field */
  readonly accessLogFormat?: apigateway.AccessLogFormat;
  /**
   * Create the role API Gateway uses to write logs, and set it as this account's and region's API Gateway
   * CloudWatch role (an account-wide setting that stage logging needs; kept when the stack is deleted).
   * Set `false` when the account already has it, e.g. from a landing zone or another API's stack.
   * @default true
   */
  readonly cloudWatchRole?: boolean;
  /** ARN of a regional WAFv2 web ACL to associate with the stage. @default - no web ACL */
  readonly webAclArn?: string;
}

/**
 * A REST API that starts and describes executions of a state machine through API Gateway's direct
 * Step Functions integration (no Lambda in between): `POST /executions` → StartExecution (or
 * StartSyncExecution), `GET /executions/{id}` → DescribeExecution. The body is validated against a
 * JSON schema that rejects unknown fields; an `Idempotency-Key` header names the execution, so a
 * retried request does not start a Standard workflow twice. IAM authorization by default (API keys
 * with a usage plan as an option), stage throttling, JSON access logs, execution logging of errors,
 * metrics and X-Ray tracing.
 */
export class ApiTrigger extends Construct {
  readonly api: apigateway.RestApi;
  readonly stage: apigateway.Stage;
  /** URL of the stage root; the routes are `${url}executions` and `${url}executions/{id}`. */
  readonly url: string;
  /** The role API Gateway assumes to call Step Functions: start this state machine, describe its executions. */
  readonly integrationRole: iam.Role;
  readonly accessLogGroup: logs.LogGroup;
  /** Only with `authorization: 'API_KEY'`. */
  readonly apiKey?: apigateway.ApiKey;
  /** Only with `authorization: 'API_KEY'`. */
  readonly usagePlan?: apigateway.UsagePlan;
  private readonly stageName: string;

  constructor(scope: Construct, id: string, props: ApiTriggerProps) {
    super(scope, id);
    validateApiTriggerProps(this, props);
    const synchronous = props.synchronous ?? false;
    const useApiKey = props.authorization === 'API_KEY';
    const stateMachineArn = props.stateMachine.stateMachineArn;
    this.stageName = props.stageName ?? 'v1';

    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.accessLogRetention ?? logs.RetentionDays.THREE_MONTHS,
    });
    this.api = new apigateway.RestApi(this, 'Api', {
      // Unique in the account and region: API Gateway's metrics are keyed by API name and stage.
      restApiName: Names.uniqueResourceName(this, { maxLength: 128 }),
      description: `Starts executions of ${props.stateMachine.node.path}`,
      endpointTypes: [apigateway.EndpointType.REGIONAL],
      // Chosen here, not by the feature flag, because stage logging fails to deploy without it.
      cloudWatchRole: props.cloudWatchRole ?? true,
      deployOptions: {
        stageName: this.stageName,
        throttlingRateLimit: props.throttlingRateLimit ?? 50,
        throttlingBurstLimit: props.throttlingBurstLimit ?? 100,
        accessLogDestination: new apigateway.LogGroupLogDestination(this.accessLogGroup),
        accessLogFormat: props.accessLogFormat ?? apigateway.AccessLogFormat.jsonWithStandardFields(),
        tracingEnabled: true,
        loggingLevel: apigateway.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        metricsEnabled: true,
      },
      defaultMethodOptions: useApiKey
        ? { authorizationType: apigateway.AuthorizationType.NONE, apiKeyRequired: true }
        : { authorizationType: apigateway.AuthorizationType.IAM },
    });
    this.stage = this.api.deploymentStage;
    this.url = this.api.url;

    // A role of its own, so API Gateway can do nothing else with it.
    this.integrationRole = new iam.Role(this, 'IntegrationRole', {
      assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      description: `Lets the API ${this.node.path} start and describe executions of ${props.stateMachine.node.path}`,
    });
    const grants = sfn.StateMachineGrants.fromStateMachine(props.stateMachine);
    if (synchronous) {
      grants.startSyncExecution(this.integrationRole);
    } else {
      grants.startExecution(this.integrationRole);
      grants.execution(this.integrationRole, 'states:DescribeExecution');
    }

    const model = this.api.addModel('InputModel', {
      contentType: 'application/json',
      description: 'The execution input',
      schema: { schema: apigateway.JsonSchemaVersion.DRAFT4, ...props.inputSchema, additionalProperties: false },
    });
    const validator = this.api.addRequestValidator('Validator', { validateRequestBody: true, validateRequestParameters: true });
    const errorMethodResponses = [400, 404, 409, 429, 500].map((status) => ({ statusCode: String(status) }));

    const executions = this.api.root.addResource('executions');
    executions.addMethod('POST', this.integration(synchronous ? 'StartSyncExecution' : 'StartExecution',
      startExecutionTemplate(stateMachineArn, !synchronous),
      synchronous ? SYNC_RESULT_TEMPLATE : START_RESULT_TEMPLATE,
      START_ERRORS), {
      requestModels: { 'application/json': model },
      requestValidator: validator,
      requestParameters: synchronous ? undefined : { 'method.request.header.Idempotency-Key': false },
      methodResponses: [{ statusCode: '200' }, ...errorMethodResponses],
    });
    if (!synchronous) {
      executions.addResource('{id}').addMethod('GET', this.integration('DescribeExecution',
        describeExecutionTemplate(stateMachineArn), DESCRIBE_RESULT_TEMPLATE, DESCRIBE_ERRORS), {
        requestValidator: validator,
        requestParameters: { 'method.request.path.id': true },
        methodResponses: [{ statusCode: '200' }, ...errorMethodResponses],
      });
    }

    if (useApiKey) {
      this.apiKey = new apigateway.ApiKey(this, 'ApiKey', { description: `Calls ${this.node.path}` });
      this.usagePlan = this.api.addUsagePlan('UsagePlan', {
        apiStages: [{ api: this.api, stage: this.stage }],
        quota: props.apiKeyQuota,
        throttle: props.apiKeyThrottle,
      });
      this.usagePlan.addApiKey(this.apiKey);
    }
    if (props.webAclArn) {
      new wafv2.CfnWebACLAssociation(this, 'WebAcl', { resourceArn: this.stage.stageArn, webAclArn: props.webAclArn });
    }
    this.acknowledgeNagFindings(props, useApiKey);
  }

  /**
   * Allows `grantee` to call this API's routes (with `authorization: 'IAM'`): `POST /executions` and
   * `GET /executions/*` of this stage. The `*` (any execution name) draws cdk-nag's AwsSolutions-IAM5 on
   * the grantee's policy, to acknowledge there.
   */
  grantInvoke(grantee: iam.IGrantable): iam.Grant {
    const stage = this.stageName;
    const resourceArns = [this.api.arnForExecuteApi('POST', '/executions', stage)];
    if (this.api.root.getResource('executions')?.getResource('{id}')) {
      resourceArns.push(this.api.arnForExecuteApi('GET', '/executions/*', stage));
    }
    return iam.Grant.addToPrincipal({ grantee, actions: ['execute-api:Invoke'], resourceArns });
  }

  private integration(action: string, requestTemplate: string, resultTemplate: string, errors: ErrorCase[]): apigateway.AwsIntegration {
    return new apigateway.AwsIntegration({
      service: 'states',
      action,
      options: {
        credentialsRole: this.integrationRole,
        // Requests other than application/json get 415 instead of reaching Step Functions untransformed.
        passthroughBehavior: apigateway.PassthroughBehavior.NEVER,
        requestTemplates: { 'application/json': requestTemplate },
        // For AWS integrations selectionPattern matches the HTTP status of Step Functions' answer; the
        // error templates tell its error types apart and override the status.
        integrationResponses: [
          { statusCode: '200', responseTemplates: { 'application/json': resultTemplate } },
          { statusCode: '400', selectionPattern: '4\\d{2}', responseTemplates: { 'application/json': errorTemplate(errors) } },
          { statusCode: '500', selectionPattern: '5\\d{2}', responseTemplates: { 'application/json': errorTemplate([]) } },
        ],
      },
    });
  }

  private acknowledgeNagFindings(props: ApiTriggerProps, useApiKey: boolean): void {
    const methods = this.api.methods;
    for (const method of methods) {
      Validations.of(method).acknowledge({
        id: 'AwsSolutions-COG4',
        reason: useApiKey
          ? `${method.httpMethod} ${method.resource.path} requires an API key with a usage plan (authorization: 'API_KEY' was chosen); machine callers, not Cognito users, call it.`
          : `${method.httpMethod} ${method.resource.path} uses IAM (SigV4) authorization instead of a Cognito user pool; its callers are AWS principals granted execute-api:Invoke.`,
      });
      if (useApiKey) {
        Validations.of(method).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: `${method.httpMethod} ${method.resource.path} requires an API key tied to a usage plan (authorization: 'API_KEY' was chosen explicitly); IAM authorization is the default.`,
        });
      }
    }
    if (!props.webAclArn) {
      Validations.of(this.stage).acknowledge({
        id: 'AwsSolutions-APIG3',
        reason: `No webAclArn was given for ${this.node.path}; its callers are authenticated (${useApiKey ? 'API key' : 'IAM'}) and the stage is throttled. Pass webAclArn to attach a WAFv2 web ACL.`,
      });
    }
    if (!props.synchronous) {
      Validations.of(this.integrationRole).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:${stateMachineNameForNag(props.stateMachine)}:*]`,
        reason: 'states:DescribeExecution on the executions of this one state machine only (their names are chosen per request); GET /executions/{id} needs it.',
      });
    }
    const cloudWatchRole = this.api.node.tryFindChild('CloudWatchRole');
    if (cloudWatchRole) {
      Validations.of(cloudWatchRole).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason: 'The AWS managed policy made for the account-level API Gateway logging role; it only lets API Gateway write its own log groups, which stage logging needs.',
      });
    }
  }
}

/** The state machine name in the execution ARN the grant names, as cdk-nag prints it (intrinsics as JSON). */
function stateMachineNameForNag(stateMachine: sfn.IStateMachine): string {
  const name = Stack.of(stateMachine).resolve(Arn.split(stateMachine.stateMachineArn, ArnFormat.COLON_RESOURCE_NAME).resourceName);
  return typeof name === 'string' ? name : JSON.stringify(name);
}

function validateApiTriggerProps(trigger: IConstruct, props: ApiTriggerProps): void {
  const v = new PropValidator('ApiTrigger', trigger);
  const schema = props.inputSchema;
  v.check(schema.type === apigateway.JsonSchemaType.OBJECT,
    `inputSchema.type must be 'object': the body becomes the execution input, a JSON object (got ${JSON.stringify(schema.type)})`);
  v.check(schema.additionalProperties === undefined || schema.additionalProperties === false,
    `inputSchema.additionalProperties must be false or unset, so unknown fields are rejected (got ${JSON.stringify(schema.additionalProperties)})`);
  // Read, not `instanceof sfn.StateMachine`, which fails when the app's aws-cdk-lib is another copy than the library's.
  const type = (props.stateMachine as Partial<sfn.StateMachine>).stateMachineType;
  if (props.synchronous) {
    v.check(type !== sfn.StateMachineType.STANDARD,
      `synchronous: true needs an EXPRESS state machine; StartSyncExecution does not run ${props.stateMachine.node.path} (got STANDARD)`);
  } else {
    v.check(type !== sfn.StateMachineType.EXPRESS,
      `an EXPRESS state machine needs synchronous: true; DescribeExecution and execution names do not serve ${props.stateMachine.node.path} (got synchronous: false)`);
  }
  if (props.authorization !== 'API_KEY') {
    v.check(props.apiKeyQuota === undefined && props.apiKeyThrottle === undefined,
      `apiKeyQuota and apiKeyThrottle need authorization: 'API_KEY' (got authorization: '${props.authorization ?? 'IAM'}')`);
  }
  if (props.throttlingRateLimit !== undefined && !Token.isUnresolved(props.throttlingRateLimit)) {
    v.check(props.throttlingRateLimit > 0 && props.throttlingRateLimit <= 10_000,
      `throttlingRateLimit must be above 0 and at most 10000 requests per second (got ${props.throttlingRateLimit})`);
  }
  v.integerInRange('throttlingBurstLimit', props.throttlingBurstLimit, 0, 5000);
  if (props.stageName !== undefined && !Token.isUnresolved(props.stageName)) {
    v.check(/^[A-Za-z0-9_-]{1,128}$/.test(props.stageName),
      `stageName must be 1..128 letters, digits, '-' or '_' (got '${props.stageName}')`);
  }
  if (props.webAclArn !== undefined && !Token.isUnresolved(props.webAclArn)) {
    v.check(/^arn:aws[a-z-]*:wafv2:[a-z0-9-]+:\d{12}:regional\/webacl\/.+/.test(props.webAclArn),
      `webAclArn must be the ARN of a regional WAFv2 web ACL (got '${props.webAclArn}')`);
  }
  v.throwIfAny();
}
