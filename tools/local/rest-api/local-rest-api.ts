import { randomUUID } from 'node:crypto';
import type { ValidateFunction } from 'ajv';
import Ajv from 'ajv-draft-04';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { LOCAL_ACCOUNT } from '../../assembly/intrinsics';
import { jsonPath, MappingTemplateInput, renderMappingTemplate } from './mapping-template';
import { IntegrationDefinition, IntegrationResponseDefinition, RestApiDefinition, RouteDefinition } from './rest-api-definition';

/** What the API's integrations call: the local engines of `sdp serve`. */
export interface RestApiBackends {
  /**
   * Calls a Step Functions API action (StartExecution, StartSyncExecution, DescribeExecution, ...) with the rendered
   * request body (JSON text); answers as Step Functions' HTTP API does: 200 + JSON, or 4xx/5xx +
   * `{ "__type": "...#ExecutionAlreadyExists", "message" }`.
   */
  stepFunctions(action: string, body: string): Promise<{ statusCode: number; body: string }>;
  /** Invokes a function of the stack by ARN or name (AWS_PROXY and AWS lambda integrations); throws the function's error. */
  invokeFunction(functionArnOrName: string, payload: unknown): Promise<unknown>;
}

/** An HTTP request to the API. */
export interface ApiRequest {
  readonly method: string;
  /** The path without the query string: relative to the stage (`/executions`) or with it (`/v1/executions`). */
  readonly path: string;
  readonly query: Record<string, string>;
  /** Header names in lower case. */
  readonly headers: Record<string, string>;
  readonly body: string;
  /** The caller's address, `$context.identity.sourceIp`. @default '127.0.0.1' */
  readonly sourceIp?: string;
}

/** The API's answer. */
export interface ApiResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
  /** The execution the request started or described, for the request log. */
  readonly executionArn?: string;
  /** Why the request failed, for the request log: what API Gateway would log, or what sdp serve does not run. */
  readonly error?: string;
}

/** A route as `sdp serve` lists it at start-up. */
export interface ServedRoute {
  readonly method: string;
  readonly path: string;
  /** What the route calls, e.g. `Step Functions StartExecution`; for a route sdp serve does not run, why. */
  readonly integration: string;
}

/** A route `sdp serve` answers with 500, and why. */
export interface UnsupportedRoute {
  readonly method: string;
  readonly path: string;
  readonly reason: string;
}

/**
 * API Gateway's own answers, by gateway response type (https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html),
 * with the `x-amzn-ErrorType` API Gateway sends with each. A missing key is an INVALID_API_KEY too.
 */
const GATEWAY_RESPONSES = {
  MISSING_AUTHENTICATION_TOKEN: { statusCode: 403, errorType: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' },
  INVALID_API_KEY: { statusCode: 403, errorType: 'ForbiddenException', message: 'Forbidden' },
  BAD_REQUEST_PARAMETERS: { statusCode: 400, errorType: 'BadRequestException', message: 'Missing required request parameters' },
  BAD_REQUEST_BODY: { statusCode: 400, errorType: 'BadRequestException', message: 'Invalid request body' },
  UNSUPPORTED_MEDIA_TYPE: { statusCode: 415, errorType: 'UnsupportedMediaTypeException', message: 'Unsupported Media Type' },
  API_CONFIGURATION_ERROR: { statusCode: 500, errorType: 'InternalServerErrorException', message: 'Internal server error' },
  // A Lambda proxy integration whose function failed or answered no proxy response: a DEFAULT_5XX response.
  LAMBDA_PROXY_FAILURE: { statusCode: 502, errorType: 'InternalServerErrorException', message: 'Internal server error' },
  INTEGRATION_TIMEOUT: { statusCode: 504, errorType: undefined, message: 'Endpoint request timed out' },
} as const;
type GatewayResponseType = keyof typeof GATEWAY_RESPONSES;

/** What an integration's URI calls. */
type Target =
  | { readonly kind: 'stepFunctions'; readonly action: string }
  | { readonly kind: 'lambda'; readonly functionArn: string }
  | { readonly kind: 'mock' }
  | { readonly kind: 'unsupported'; readonly reason: string };

/** A route with its path split for matching and its models compiled. */
interface CompiledRoute {
  readonly route: RouteDefinition;
  readonly segments: string[];
  readonly target: Target;
  readonly validators: Record<string, ValidateFunction>;
}

/** One request on its way through the API: what the templates and the proxy event read. */
interface RequestContext {
  readonly request: ApiRequest;
  readonly route: RouteDefinition;
  /** The path relative to the stage. */
  readonly path: string;
  readonly pathParameters: Record<string, string>;
  readonly contentType: string;
  readonly requestId: string;
  readonly context: Record<string, unknown>;
  readonly stageVariables: Record<string, string>;
  /** API Gateway's own answer of `type`, as the API customizes it. */
  readonly fail: Fail;
}

/** Answers a gateway response: `error` says why in the request log; `message` replaces the type's own. */
type Fail = (type: GatewayResponseType, error?: string, message?: string) => ApiResponse;

/**
 * One REST API of the app as API Gateway serves its stage, from the synthesized template (see `readRestApis`):
 * routing (most specific resource, `{param}`, `{proxy+}`, `ANY`), API keys, request validation (required
 * parameters, the body against the method's JSON schema, draft 4), request templates and passthrough behaviour,
 * the Step Functions actions of AWS integrations, Lambda functions (proxy and not), MOCK integrations, the
 * integration responses chosen by their selection pattern, their templates and status overrides, the integration
 * timeout (`TimeoutInMillis`, 29 s by default: 504 when the backend answers later), and API Gateway's own answers
 * (403, 400, 415, 500, 502, 504) as the API's gateway responses customize them.
 *
 * IAM authorization (`AWS_IAM`) is accepted without checking a signature: there is no local SigV4. Usage plan
 * quotas and throttles, and the integration's credentials role, are not applied. Lambda and Cognito authorizers,
 * HTTP integrations and AWS integrations of other services are not run: such a route answers 500 and says why
 * (`unsupportedRoutes()` lists them).
 */
export class LocalRestApi {
  private readonly compiled: CompiledRoute[];

  constructor(readonly definition: RestApiDefinition, private readonly backends: RestApiBackends) {
    // Draft 4, as API Gateway's models are; formats are not checked (allowed, so a schema using them compiles).
    const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
    this.compiled = definition.routes.map((route) => {
      const segments = route.path.split('/').filter((part) => part !== '');
      try {
        const validators = Object.fromEntries(Object.entries(route.requestModels).map(([contentType, schema]) => [contentType, ajv.compile(schema)]));
        return { route, segments, target: targetOf(route), validators };
      } catch (error) {
        // E.g. a model referring to another by URL: that route is not served, the others are.
        return { route, segments, target: { kind: 'unsupported', reason: `sdp serve cannot check its request model: ${(error as Error).message}` }, validators: {} };
      }
    });
  }

  /** Every route with what it calls. */
  routes(): ServedRoute[] {
    return this.compiled.map(({ route, target }) => ({ method: route.httpMethod, path: route.path, integration: describeTarget(target) }));
  }

  /** The routes sdp serve answers with 500 because it does not run their integration or authorizer. */
  unsupportedRoutes(): UnsupportedRoute[] {
    return this.compiled.flatMap(({ route, target }) => {
      const reason = unsupportedReason(route, target);
      return reason === undefined ? [] : [{ method: route.httpMethod, path: route.path, reason }];
    });
  }

  async handle(request: ApiRequest): Promise<ApiResponse> {
    const requestId = randomUUID();
    const match = this.match(request.method.toUpperCase(), request.path);
    const fail: Fail = (type, error, message) => this.gatewayResponse(type, request, requestId, match, error, message);
    if (match === undefined) return fail('MISSING_AUTHENTICATION_TOKEN');
    const { compiled: { route, target, validators }, path, pathParameters } = match;

    const unsupported = unsupportedReason(route, target);
    if (unsupported !== undefined) return fail('API_CONFIGURATION_ERROR', `${route.httpMethod} ${route.path}: ${unsupported}`);
    const keyProblem = route.apiKeyRequired ? this.apiKeyProblem(request.headers['x-api-key']) : undefined;
    if (keyProblem !== undefined) return fail('INVALID_API_KEY', keyProblem);

    const contentType = mediaType(request.headers['content-type']);
    if (route.validateRequestParameters) {
      const missing = missingParameters(route, request);
      if (missing.length > 0) {
        return fail('BAD_REQUEST_PARAMETERS', undefined, `Missing required request parameters: [${missing.join(', ')}]`);
      }
    }
    // Only a model for the request's content type (or `$default`) is checked; other bodies are not validated.
    const validate = route.validateRequestBody ? validators[contentType] ?? validators.$default : undefined;
    if (validate !== undefined) {
      const problem = bodyProblem(validate, request.body);
      if (problem !== undefined) return fail('BAD_REQUEST_BODY', problem);
    }

    const requestContext: RequestContext = {
      request, route, path, pathParameters, contentType, requestId, context: this.templateContext(request, requestId, match),
      stageVariables: this.definition.stageVariables, fail,
    };
    const timeoutMs = route.integration.timeoutInMillis;
    let timer: NodeJS.Timeout | undefined;
    // The backend goes on when API Gateway stops waiting (a synchronous execution keeps running), as in AWS.
    const timedOut = new Promise<ApiResponse>((resolve) => {
      timer = setTimeout(() => resolve(fail('INTEGRATION_TIMEOUT', `the integration did not answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      return await Promise.race([this.integrate(requestContext, target), timedOut]);
    } catch (error) {
      return fail('API_CONFIGURATION_ERROR', (error as Error).message);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * The route of `method` on the most specific resource matching `path`. A path starting with the stage name is taken
   * as the deployed URL's, the stage first (else a `{proxy+}` would take the stage for part of its path), then as is.
   */
  private match(method: string, path: string) {
    const withoutStage = this.withoutStage(path);
    for (const candidate of withoutStage === undefined ? [path] : [withoutStage, path]) {
      const segments = candidate.split('/').filter((part) => part !== '');
      const resources = this.compiled
        .map((compiled) => ({ compiled, pathParameters: matchSegments(compiled.segments, segments) }))
        .filter((m): m is { compiled: CompiledRoute; pathParameters: Record<string, string> } => m.pathParameters !== undefined)
        .sort((a, b) => compareSpecificity(a.compiled.segments, b.compiled.segments));
      if (resources.length === 0) continue;
      // The most specific resource answers alone: another resource's method does not serve it.
      const resourcePath = resources[0].compiled.route.path;
      const onResource = resources.filter((m) => m.compiled.route.path === resourcePath);
      const found = onResource.find((m) => m.compiled.route.httpMethod === method) ?? onResource.find((m) => m.compiled.route.httpMethod === 'ANY');
      return found === undefined ? undefined : { ...found, path: candidate };
    }
    return undefined;
  }

  /** `path` without the stage in front, when it starts with the stage's name. */
  private withoutStage(path: string): string | undefined {
    const stage = this.definition.stageName;
    if (stage === undefined || (path !== `/${stage}` && !path.startsWith(`/${stage}/`))) return undefined;
    return path.slice(stage.length + 1) || '/';
  }

  /** Why the `x-api-key` header does not open an API-key method, or undefined when it does. */
  private apiKeyProblem(key: string | undefined): string | undefined {
    if (key === undefined || key === '') return 'the method requires an API key and the request has no x-api-key header';
    const keys = this.definition.apiKeys.filter((k) => k.enabled);
    if (keys.length === 0) return `no usage plan links an enabled API key to the stage ${this.definition.stageName ?? '(none)'}, so no key opens the method`;
    // A key API Gateway generates is unknown before deployment: then any key is taken for it.
    if (keys.some((k) => k.value === undefined) || keys.some((k) => k.value === key)) return undefined;
    return 'the x-api-key header is none of the API keys of the stage';
  }

  /** The `$context` variables templates commonly read (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html). */
  private templateContext(request: ApiRequest, requestId: string, match?: { compiled: CompiledRoute; path: string }): Record<string, unknown> {
    const now = new Date();
    const stage = this.definition.stageName ?? '';
    const route = match?.compiled.route;
    const path = match?.path ?? this.withoutStage(request.path) ?? request.path;
    return {
      accountId: LOCAL_ACCOUNT,
      apiId: this.definition.logicalId,
      domainName: request.headers.host ?? '127.0.0.1',
      extendedRequestId: requestId,
      httpMethod: request.method.toUpperCase(),
      identity: {
        sourceIp: request.sourceIp ?? '127.0.0.1',
        userAgent: request.headers['user-agent'] ?? '',
        apiKey: route?.apiKeyRequired ? request.headers['x-api-key'] ?? '' : '',
        accountId: '', caller: '', user: '', userArn: '',
      },
      path: `/${stage}${path === '/' ? '' : path}`,
      protocol: 'HTTP/1.1',
      requestId,
      requestTime: requestTime(now),
      requestTimeEpoch: now.getTime(),
      resourceId: route?.logicalId ?? '',
      resourcePath: route?.path ?? '',
      stage,
    };
  }

  /**
   * API Gateway's own answer of `type`, with the API's customization (`AWS::ApiGateway::GatewayResponse`) of that
   * type, else of DEFAULT_4XX or DEFAULT_5XX: its status code, headers and template (`$context.error.*`).
   */
  private gatewayResponse(
    type: GatewayResponseType, request: ApiRequest, requestId: string, match: { compiled: CompiledRoute; path: string; pathParameters: Record<string, string> } | undefined,
    error?: string, message?: string,
  ): ApiResponse {
    const response = GATEWAY_RESPONSES[type];
    const responseType = type === 'LAMBDA_PROXY_FAILURE' ? 'DEFAULT_5XX' : type;
    const text = message ?? response.message;
    const custom = this.definition.gatewayResponses[responseType] ?? this.definition.gatewayResponses[response.statusCode < 500 ? 'DEFAULT_4XX' : 'DEFAULT_5XX'];
    const template = custom?.responseTemplates['application/json'];
    const context = { ...this.templateContext(request, requestId, match), error: { message: text, messageString: JSON.stringify(text), responseType } };
    let body = JSON.stringify({ message: text });
    try {
      if (template !== undefined) body = renderMappingTemplate(template, { context, stageVariables: this.definition.stageVariables }).text;
    } catch (renderError) {
      // The error is answered all the same, with API Gateway's own body; the log says why the template was not.
      error = `${error ?? text}; the ${responseType} gateway response template failed: ${(renderError as Error).message}`;
    }
    const headers: Record<string, string> = {};
    for (const [target, source] of Object.entries(custom?.responseParameters ?? {})) {
      const name = /^gatewayresponse\.header\.(.+)$/.exec(target)?.[1];
      const value = name === undefined ? undefined : responseParameterValue(source, request, match?.pathParameters ?? {}, '');
      if (name !== undefined && value !== undefined) headers[name] = value;
    }
    return {
      statusCode: Number(custom?.statusCode ?? response.statusCode),
      headers: {
        'Content-Type': 'application/json', ...headers, 'x-amzn-RequestId': requestId,
        ...response.errorType === undefined ? {} : { 'x-amzn-ErrorType': response.errorType },
      },
      body,
      error,
    };
  }

  private async integrate(rc: RequestContext, target: Target): Promise<ApiResponse> {
    const { integration } = rc.route;
    if (integration.type === 'AWS_PROXY' && target.kind === 'lambda') return this.lambdaProxy(rc, target.functionArn);
    const integrationRequest = integrationRequestBody(rc, integration);
    if (integrationRequest === undefined) return rc.fail('UNSUPPORTED_MEDIA_TYPE', `no request template for ${rc.contentType} and PassthroughBehavior ${integration.passthroughBehavior}`);

    if (target.kind === 'stepFunctions') {
      const answer = await this.backends.stepFunctions(target.action, integrationRequest);
      const response = respond(rc, integration, String(answer.statusCode), answer.body);
      return { ...response, executionArn: executionArnOf(answer.body) ?? executionArnOf(integrationRequest) };
    }
    if (target.kind === 'lambda') {
      const payload = integrationRequest.trim() === '' ? {} : JSON.parse(integrationRequest);
      try {
        return respond(rc, integration, undefined, JSON.stringify(await this.backends.invokeFunction(target.functionArn, payload) ?? null));
      } catch (error) {
        // For Lambda, the selection pattern matches the function's error message.
        const lambdaError = lambdaErrorOf(error);
        return respond(rc, integration, lambdaError.errorMessage, JSON.stringify(lambdaError));
      }
    }
    // MOCK: the request template's `statusCode` chooses the integration response.
    const statusCode = (integrationRequest.trim() === '' ? undefined : JSON.parse(integrationRequest).statusCode) ?? 200;
    return respond(rc, integration, String(statusCode), '');
  }

  /** Lambda proxy integration: the REST API (v1) event in, the function's `{ statusCode, headers, body }` out. */
  private async lambdaProxy(rc: RequestContext, functionArn: string): Promise<ApiResponse> {
    let result: unknown;
    try {
      result = await this.backends.invokeFunction(functionArn, this.proxyEvent(rc));
    } catch (error) {
      return rc.fail('LAMBDA_PROXY_FAILURE', `the function ${functionArn} failed: ${(error as Error).message}`);
    }
    const proxy = result as { statusCode?: unknown; headers?: Record<string, unknown>; multiValueHeaders?: Record<string, unknown[]>; body?: unknown } | null;
    if (proxy === null || typeof proxy !== 'object' || !isHttpStatus(Number(proxy.statusCode))
      || (proxy.body !== undefined && proxy.body !== null && typeof proxy.body !== 'string')) {
      return rc.fail('LAMBDA_PROXY_FAILURE', `malformed Lambda proxy response from ${functionArn}: ${JSON.stringify(result)}`);
    }
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    for (const [name, values] of Object.entries(proxy.multiValueHeaders ?? {})) headers[name] = values.map(String).join(', ');
    for (const [name, value] of Object.entries(proxy.headers ?? {})) headers[name] = String(value);
    return { statusCode: Number(proxy.statusCode), headers: { ...headers, 'x-amzn-RequestId': rc.requestId }, body: (proxy.body as string | undefined) ?? '' };
  }

  private proxyEvent(rc: RequestContext): APIGatewayProxyEvent {
    const { request, context } = rc;
    const orNull = <T>(record: Record<string, T>) => (Object.keys(record).length === 0 ? null : record);
    const multi = (record: Record<string, string>) => Object.fromEntries(Object.entries(record).map(([k, v]) => [k, [v]]));
    const identity = context.identity as Record<string, string>;
    return {
      resource: rc.route.path,
      path: rc.path,
      httpMethod: request.method.toUpperCase(),
      headers: request.headers,
      multiValueHeaders: multi(request.headers),
      queryStringParameters: orNull(request.query),
      multiValueQueryStringParameters: orNull(multi(request.query)),
      pathParameters: orNull(rc.pathParameters),
      stageVariables: orNull(rc.stageVariables),
      requestContext: {
        accountId: LOCAL_ACCOUNT,
        apiId: this.definition.logicalId,
        authorizer: undefined,
        domainName: context.domainName as string,
        extendedRequestId: rc.requestId,
        httpMethod: request.method.toUpperCase(),
        path: context.path as string,
        protocol: 'HTTP/1.1',
        requestId: rc.requestId,
        requestTime: context.requestTime as string,
        requestTimeEpoch: context.requestTimeEpoch as number,
        resourceId: rc.route.logicalId,
        resourcePath: rc.route.path,
        stage: context.stage as string,
        identity: {
          accessKey: null, accountId: null, apiKey: identity.apiKey || null, apiKeyId: null, caller: null, clientCert: null,
          cognitoAuthenticationProvider: null, cognitoAuthenticationType: null, cognitoIdentityId: null, cognitoIdentityPoolId: null,
          principalOrgId: null, sourceIp: identity.sourceIp, user: null, userAgent: identity.userAgent || null, userArn: null,
        },
      },
      body: request.body === '' ? null : request.body,
      isBase64Encoded: false,
    };
  }
}

/** What an integration's URI calls, from `arn:<partition>:apigateway:<region>:<service>:<action|path>/...`. */
function targetOf(route: RouteDefinition): Target {
  const { type, uri, problem } = route.integration;
  if (problem !== undefined) return { kind: 'unsupported', reason: `the local run cannot read its integration: ${problem}` };
  if (type === 'MOCK') return { kind: 'mock' };
  if (type === 'AWS' || type === 'AWS_PROXY') {
    const lambda = /:apigateway:[^:]*:lambda:path\/[^/]+\/functions\/(.+)\/invocations$/.exec(uri ?? '');
    if (lambda) return { kind: 'lambda', functionArn: lambda[1] };
    const action = /:apigateway:[^:]*:states:action\/(\w+)$/.exec(uri ?? '');
    if (action && type === 'AWS') return { kind: 'stepFunctions', action: action[1] };
    const service = /:apigateway:[^:]*:([^:]+):/.exec(uri ?? '')?.[1] ?? uri;
    return { kind: 'unsupported', reason: `sdp serve does not run ${type} integrations with ${service} (only Step Functions actions and Lambda functions)` };
  }
  return { kind: 'unsupported', reason: `sdp serve does not run ${type} integrations (${uri ?? 'no URI'})` };
}

function describeTarget(target: Target): string {
  switch (target.kind) {
    case 'stepFunctions': return `Step Functions ${target.action}`;
    case 'lambda': return `Lambda ${target.functionArn}`;
    case 'mock': return 'MOCK';
    case 'unsupported': return `not run: ${target.reason}`;
  }
}

function unsupportedReason(route: RouteDefinition, target: Target): string | undefined {
  if (route.authorizationType === 'CUSTOM' || route.authorizationType === 'COGNITO_USER_POOLS') {
    return `sdp serve does not run ${route.authorizationType === 'CUSTOM' ? 'Lambda' : 'Cognito user pool'} authorizers`;
  }
  return target.kind === 'unsupported' ? target.reason : undefined;
}

/** The path parameters when `segments` (of a request path) fall on the resource `pattern`, else undefined. */
function matchSegments(pattern: string[], segments: string[]): Record<string, string> | undefined {
  const parameters: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const part = pattern[i];
    const greedy = /^\{(.+)\+\}$/.exec(part);
    if (greedy && i === pattern.length - 1) {
      if (segments.length <= i) return undefined;
      parameters[greedy[1]] = segments.slice(i).map(decodePathSegment).join('/');
      return parameters;
    }
    if (i >= segments.length) return undefined;
    const parameter = /^\{(.+)\}$/.exec(part);
    if (parameter) parameters[parameter[1]] = decodePathSegment(segments[i]);
    else if (part !== segments[i]) return undefined;
  }
  return pattern.length === segments.length ? parameters : undefined;
}

/** A path parameter's value, percent-decoded; a malformed escape is kept as sent. */
function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Orders resources most specific first: at the first difference a literal part beats `{param}`, which beats `{proxy+}`. */
function compareSpecificity(a: string[], b: string[]): number {
  const rank = (part: string | undefined) => (part === undefined ? 3 : part.endsWith('+}') ? 2 : part.startsWith('{') ? 1 : 0);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const difference = rank(a[i]) - rank(b[i]);
    if (difference !== 0) return difference;
  }
  return 0;
}

/** The media type of a Content-Type header, lower case, without parameters; API Gateway takes application/json when there is none. */
function mediaType(contentType: string | undefined): string {
  const type = contentType?.split(';')[0].trim().toLowerCase();
  return type ? type : 'application/json';
}

/** The required request parameters (`method.request.<location>.<name>: true`) missing or blank, by name. */
function missingParameters(route: RouteDefinition, request: ApiRequest): string[] {
  return Object.entries(route.requestParameters).filter(([, required]) => required).flatMap(([parameter]) => {
    const [, location, name] = /^method\.request\.(path|querystring|header)\.(.+)$/.exec(parameter) ?? [];
    const value = location === 'header' ? request.headers[name.toLowerCase()] : location === 'querystring' ? request.query[name] : 'in the path';
    return value === undefined || value.trim() === '' ? [name] : [];
  });
}

/**
 * Why the body fails the method's model (ajv's words, for the request log), or undefined when it passes. An empty
 * body is validated as `{}`, as API Gateway does (LocalStack found so against AWS: localstack/localstack#7916).
 */
function bodyProblem(validate: ValidateFunction, body: string): string | undefined {
  let document: unknown;
  try {
    document = body.trim() === '' ? {} : JSON.parse(body);
  } catch {
    return 'the body is not JSON';
  }
  if (validate(document)) return undefined;
  return (validate.errors ?? []).map((e) => `${e.instancePath || '(body)'} ${e.message}`).join('; ');
}

/** The integration request's body: the request template for the content type rendered, the body passed through, or undefined for 415. */
function integrationRequestBody(rc: RequestContext, integration: IntegrationDefinition): string | undefined {
  const template = integration.requestTemplates[rc.contentType];
  if (template !== undefined) return renderMappingTemplate(template, templateInput(rc, rc.request.body)).text;
  const hasTemplates = Object.keys(integration.requestTemplates).length > 0;
  const passthrough = integration.passthroughBehavior === 'WHEN_NO_MATCH' || (integration.passthroughBehavior === 'WHEN_NO_TEMPLATES' && !hasTemplates);
  return passthrough ? rc.request.body : undefined;
}

function templateInput(rc: RequestContext, body: string): MappingTemplateInput {
  return { body, headers: rc.request.headers, path: rc.pathParameters, querystring: rc.request.query, context: rc.context, stageVariables: rc.stageVariables };
}

/**
 * The method response for the backend's answer: the integration response whose selection pattern matches `selector`
 * in full (the status code, or a Lambda error message), else the default one, its template rendered with `$input`
 * the answer and its status possibly overridden by `$context.responseOverride.status`.
 */
function respond(rc: RequestContext, integration: IntegrationDefinition, selector: string | undefined, body: string): ApiResponse {
  const responses = integration.integrationResponses;
  const chosen = (selector === undefined ? undefined : responses.find((r) => r.selectionPattern !== undefined && new RegExp(`^(?:${r.selectionPattern})$`).test(selector)))
    ?? responses.find((r) => r.selectionPattern === undefined);
  if (chosen === undefined) {
    return rc.fail('API_CONFIGURATION_ERROR', `no integration response of ${rc.route.httpMethod} ${rc.route.path} matches ${selector} and there is no default one`);
  }
  const [contentType, template] = responseTemplate(chosen);
  const rendered = template === undefined ? undefined : renderMappingTemplate(template, templateInput(rc, body));
  const statusCode = rendered?.statusOverride ?? Number(chosen.statusCode);
  if (!isHttpStatus(statusCode)) {
    return rc.fail('API_CONFIGURATION_ERROR', `${rc.route.httpMethod} ${rc.route.path} answered the status ${statusCode}, which is no HTTP status`);
  }
  return {
    statusCode,
    headers: { 'Content-Type': contentType, ...responseHeaders(rc, chosen, body), ...rendered?.headerOverrides, 'x-amzn-RequestId': rc.requestId },
    body: rendered === undefined ? body : rendered.text,
  };
}

/** A status code HTTP can carry (API Gateway answers a malformed one with a configuration error). */
function isHttpStatus(status: number): boolean {
  return Number.isInteger(status) && status >= 100 && status <= 599;
}

/** The response template and its content type: application/json's, else the first; none passes the answer through. */
function responseTemplate(response: IntegrationResponseDefinition): [string, string | undefined] {
  const templates = response.responseTemplates;
  if (templates['application/json'] !== undefined) return ['application/json', templates['application/json']];
  const [first] = Object.entries(templates);
  return first ?? ['application/json', undefined];
}

/** `ResponseParameters` of the integration response: static values, the answer's body fields, the method request's parameters. */
function responseHeaders(rc: RequestContext, response: IntegrationResponseDefinition, body: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [target, source] of Object.entries(response.responseParameters)) {
    const name = /^method\.response\.header\.(.+)$/.exec(target)?.[1];
    if (name === undefined) continue;
    const value = responseParameterValue(source, rc.request, rc.pathParameters, body);
    if (value !== undefined) headers[name] = value;
  }
  return headers;
}

function responseParameterValue(source: string, request: ApiRequest, pathParameters: Record<string, string>, body: string): string | undefined {
  if (/^'.*'$/s.test(source)) return source.slice(1, -1);
  if (source === 'integration.response.body') return body;
  const field = /^integration\.response\.body\.(.+)$/.exec(source)?.[1];
  if (field !== undefined) {
    const value = jsonPath(JSON.parse(body), `$.${field}`);
    return value === undefined ? undefined : typeof value === 'string' ? value : JSON.stringify(value);
  }
  const [, location, name] = /^method\.request\.(path|querystring|header)\.(.+)$/.exec(source) ?? [];
  if (location === 'path') return pathParameters[name];
  if (location === 'querystring') return request.query[name];
  if (location === 'header') return request.headers[name.toLowerCase()];
  return undefined; // integration.response.header.*: the local backends answer no headers
}

/** A function's error as Lambda reports it to API Gateway: `{ errorMessage, errorType, ... }`. */
function lambdaErrorOf(error: unknown): { errorMessage: string; errorType: string } {
  const { name, message } = error as Error;
  try {
    const reported = JSON.parse(message);
    if (typeof reported?.errorMessage === 'string') return { ...reported, errorType: reported.errorType ?? name };
  } catch {
    // A plain message: the error is its own report.
  }
  return { errorMessage: message, errorType: name };
}

/** The `executionArn` field of a JSON answer or request, for the request log. */
function executionArnOf(body: string): string | undefined {
  try {
    const arn = JSON.parse(body)?.executionArn;
    return typeof arn === 'string' ? arn : undefined;
  } catch {
    return undefined;
  }
}

/** `$context.requestTime`: `dd/MMM/yyyy:HH:mm:ss +0000`. */
function requestTime(date: Date): string {
  const [, day, month, year, time] = date.toUTCString().split(/,? /); // 'Mon, 30 Nov 2026 09:34:21 GMT'
  return `${day}/${month}/${year}:${time} +0000`;
}
