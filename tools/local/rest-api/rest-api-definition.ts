import { AssemblyStack, CfnResource, constructPath, resourcesOfType } from '../../assembly/cloud-assembly';
import { IntrinsicResolver } from '../../assembly/intrinsics';

/** How API Gateway passes a body whose content type has no request template (`PassthroughBehavior`). */
export type PassthroughBehavior = 'WHEN_NO_MATCH' | 'WHEN_NO_TEMPLATES' | 'NEVER';

/** One integration response: which backend answers it serves and how it maps them. */
export interface IntegrationResponseDefinition {
  /** The method response status. */
  readonly statusCode: string;
  /** Matched against the backend's status code (the Lambda error message for Lambda); absent for the default response. */
  readonly selectionPattern?: string;
  /** Response mapping templates by content type. */
  readonly responseTemplates: Record<string, string>;
  /** `method.response.header.<name>` → a static `'value'` or `integration.response.body.<JSONPath>` / `.header.<name>`. */
  readonly responseParameters: Record<string, string>;
}

/** A method's integration, its intrinsics resolved to the local names and ARNs. */
export interface IntegrationDefinition {
  /** `AWS`, `AWS_PROXY`, `MOCK`, `HTTP`, `HTTP_PROXY`. */
  readonly type: string;
  /** The integration's URI, e.g. `arn:aws:apigateway:us-east-1:states:action/StartExecution`; absent for MOCK. */
  readonly uri?: string;
  /** Request mapping templates by content type. */
  readonly requestTemplates: Record<string, string>;
  /** @default 'WHEN_NO_MATCH', as API Gateway's */
  readonly passthroughBehavior: PassthroughBehavior;
  /** How long API Gateway waits for the backend (`TimeoutInMillis`). @default 29000 */
  readonly timeoutInMillis: number;
  readonly integrationResponses: IntegrationResponseDefinition[];
  /** Why the local run cannot read this integration (an intrinsic it cannot resolve), when it cannot. */
  readonly problem?: string;
}

/** One method of one resource: what `handle` serves for a path and an HTTP method. */
export interface RouteDefinition {
  /** The `AWS::ApiGateway::Method`'s logical id. */
  readonly logicalId: string;
  /** The resource path, e.g. `/executions/{id}` or `/{proxy+}`. */
  readonly path: string;
  /** `GET`, `POST`, ... or `ANY`. */
  readonly httpMethod: string;
  /** `NONE`, `AWS_IAM`, `CUSTOM` or `COGNITO_USER_POOLS`. */
  readonly authorizationType: string;
  readonly apiKeyRequired: boolean;
  /** From the method's request validator. */
  readonly validateRequestBody: boolean;
  readonly validateRequestParameters: boolean;
  /** The JSON schema (draft 4) of the body, by content type (`$default` for any), from the method's models. */
  readonly requestModels: Record<string, object>;
  /** `method.request.{path|querystring|header}.<name>` → whether it is required. */
  readonly requestParameters: Record<string, boolean>;
  readonly integration: IntegrationDefinition;
  /** The method responses' status codes. */
  readonly methodResponses: string[];
}

/** An API key that a usage plan links to a stage of the API. */
export interface ApiKeyDefinition {
  readonly logicalId: string;
  /** The key, when the template sets it; API Gateway generates it otherwise, so it is unknown locally. */
  readonly value?: string;
  readonly enabled: boolean;
}

/** The API's customization of one of API Gateway's own answers (`AWS::ApiGateway::GatewayResponse`). */
export interface GatewayResponseDefinition {
  /** @default - the type's own status */
  readonly statusCode?: string;
  /** `gatewayresponse.header.<name>` → a static `'value'` or `method.request.<location>.<name>`. */
  readonly responseParameters: Record<string, string>;
  /** By content type; `$context.error.message`, `.messageString` and `.responseType` are the error's. */
  readonly responseTemplates: Record<string, string>;
}

/** A REST API of a stack, as API Gateway would serve its deployed stage. */
export interface RestApiDefinition {
  /** The `AWS::ApiGateway::RestApi`'s logical id. */
  readonly logicalId: string;
  readonly constructPath: string;
  /** The API's name, or its logical id when it has none. */
  readonly name: string;
  /** The stage the routes are served under (`AWS::ApiGateway::Stage`, else the Deployment's `StageName`); absent when not deployed. */
  readonly stageName?: string;
  /** The stage's variables, `$stageVariables` in templates and `stageVariables` in the Lambda proxy event. */
  readonly stageVariables: Record<string, string>;
  readonly routes: RouteDefinition[];
  /** The keys usage plans link to the API's stage: the ones `ApiKeyRequired` methods accept. */
  readonly apiKeys: ApiKeyDefinition[];
  /** The API's gateway responses by type (`MISSING_AUTHENTICATION_TOKEN`, `DEFAULT_4XX`, ...). */
  readonly gatewayResponses: Record<string, GatewayResponseDefinition>;
}

/** The models API Gateway creates in every REST API, which methods may name without defining them. */
const BUILT_IN_MODELS: Record<string, object> = {
  Empty: { $schema: 'http://json-schema.org/draft-04/schema#', title: 'Empty Schema', type: 'object' },
  Error: {
    $schema: 'http://json-schema.org/draft-04/schema#',
    title: 'Error Schema',
    type: 'object',
    properties: { message: { type: 'string' } },
  },
};

/**
 * Every REST API of `stack`, read from its `AWS::ApiGateway::*` resources. An API defined by an
 * OpenAPI `Body` (or `BodyS3Location`) is refused by name: its routes are not resources of the template.
 */
export function readRestApis(stack: AssemblyStack, resolver: IntrinsicResolver): RestApiDefinition[] {
  return resourcesOfType(stack.template, 'AWS::ApiGateway::RestApi').map((apiId) => new RestApiReader(stack, resolver, apiId).read());
}

/** Reads one API; the resources of the template that belong to it are those whose `RestApiId` is a `Ref` to it. */
class RestApiReader {
  private readonly resources: Record<string, CfnResource>;

  constructor(private readonly stack: AssemblyStack, private readonly resolver: IntrinsicResolver, private readonly apiId: string) {
    this.resources = stack.template.Resources;
  }

  read(): RestApiDefinition {
    const properties = this.resources[this.apiId].Properties ?? {};
    if (properties.Body !== undefined || properties.BodyS3Location !== undefined) {
      throw new Error(`sdp serve cannot serve the REST API ${constructPath(this.stack, this.apiId)}: it is defined by an OpenAPI document `
        + '(Body or BodyS3Location), not by AWS::ApiGateway::Resource and Method resources');
    }
    return {
      logicalId: this.apiId,
      constructPath: constructPath(this.stack, this.apiId),
      name: properties.Name === undefined ? this.apiId : String(this.resolver.resolve(properties.Name)),
      ...this.stage(),
      routes: this.ofApi('AWS::ApiGateway::Method').map((methodId) => this.route(methodId)),
      apiKeys: this.apiKeys(),
      gatewayResponses: Object.fromEntries(this.ofApi('AWS::ApiGateway::GatewayResponse').map((id) => {
        const response = this.resources[id].Properties!;
        return [String(response.ResponseType), {
          statusCode: response.StatusCode === undefined ? undefined : String(this.resolver.resolve(response.StatusCode)),
          responseParameters: this.resolver.resolve(response.ResponseParameters ?? {}) as Record<string, string>,
          responseTemplates: this.templates(response.ResponseTemplates),
        }];
      })),
    };
  }

  /** Logical ids of the resources of `type` that belong to this API. */
  private ofApi(type: string): string[] {
    return resourcesOfType(this.stack.template, type).filter((id) => this.refersTo(this.resources[id].Properties?.RestApiId, this.apiId));
  }

  private refersTo(value: unknown, logicalId: string): boolean {
    return (value as { Ref?: unknown } | undefined)?.Ref === logicalId;
  }

  /** The API's stage: an `AWS::ApiGateway::Stage`, else the one a Deployment makes with `StageName` (and `StageDescription`). */
  private stage(): Pick<RestApiDefinition, 'stageName' | 'stageVariables'> {
    const stage = this.ofApi('AWS::ApiGateway::Stage')[0];
    const deployment = this.ofApi('AWS::ApiGateway::Deployment').find((id) => this.resources[id].Properties?.StageName !== undefined);
    const properties = stage !== undefined ? this.resources[stage].Properties! : deployment !== undefined ? this.resources[deployment].Properties! : undefined;
    if (properties === undefined) return { stageVariables: {} };
    const variables = stage !== undefined ? properties.Variables : properties.StageDescription?.Variables;
    return {
      stageName: String(this.resolver.resolve(properties.StageName)),
      stageVariables: this.resolver.resolve(variables ?? {}) as Record<string, string>,
    };
  }

  /** The path of a resource id: `Fn::GetAtt [Api, RootResourceId]` is `/`, a `Ref` to a Resource its parent's path and `PathPart`. */
  private resourcePath(resourceId: unknown): string {
    const getAtt = (resourceId as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
    if (getAtt?.[0] === this.apiId && getAtt[1] === 'RootResourceId') return '/';
    const ref = (resourceId as { Ref?: string }).Ref;
    const resource = ref === undefined ? undefined : this.resources[ref];
    if (resource?.Type !== 'AWS::ApiGateway::Resource') {
      throw new Error(`${constructPath(this.stack, this.apiId)}: cannot place the resource ${JSON.stringify(resourceId)} in the API's paths`);
    }
    const parent = this.resourcePath(resource.Properties!.ParentId);
    return `${parent === '/' ? '' : parent}/${String(this.resolver.resolve(resource.Properties!.PathPart))}`;
  }

  private route(methodId: string): RouteDefinition {
    const properties = this.resources[methodId].Properties ?? {};
    const validatorId = (properties.RequestValidatorId as { Ref?: string } | undefined)?.Ref;
    const validator = validatorId === undefined ? {} : this.resources[validatorId]?.Properties ?? {};
    return {
      logicalId: methodId,
      path: this.resourcePath(properties.ResourceId),
      httpMethod: String(properties.HttpMethod).toUpperCase(),
      authorizationType: properties.AuthorizationType ?? 'NONE',
      apiKeyRequired: properties.ApiKeyRequired === true,
      validateRequestBody: validator.ValidateRequestBody === true,
      validateRequestParameters: validator.ValidateRequestParameters === true,
      requestModels: Object.fromEntries(Object.entries<unknown>(properties.RequestModels ?? {})
        .map(([contentType, model]) => [contentType.toLowerCase(), this.modelSchema(model)])),
      requestParameters: { ...properties.RequestParameters },
      integration: this.integration(properties.Integration ?? {}),
      methodResponses: (properties.MethodResponses ?? []).map((response: { StatusCode: unknown }) => String(response.StatusCode)),
    };
  }

  private integration(integration: Record<string, any>): IntegrationDefinition {
    const type = String(integration.Type ?? 'MOCK');
    const passthroughBehavior: PassthroughBehavior = integration.PassthroughBehavior ?? 'WHEN_NO_MATCH';
    const timeoutInMillis = Number(integration.TimeoutInMillis ?? 29_000);
    try {
      return {
        type,
        uri: integration.Uri === undefined ? undefined : String(this.resolver.resolve(integration.Uri)),
        requestTemplates: this.templates(integration.RequestTemplates),
        passthroughBehavior,
        timeoutInMillis,
        integrationResponses: (integration.IntegrationResponses ?? []).map((response: Record<string, any>) => ({
          statusCode: String(response.StatusCode),
          selectionPattern: response.SelectionPattern ? String(response.SelectionPattern) : undefined,
          responseTemplates: this.templates(response.ResponseTemplates),
          responseParameters: this.resolver.resolve(response.ResponseParameters ?? {}) as Record<string, string>,
        })),
      };
    } catch (error) {
      // One integration the local run cannot read leaves the API's other routes served.
      return { type, requestTemplates: {}, passthroughBehavior, timeoutInMillis, integrationResponses: [], problem: (error as Error).message };
    }
  }

  /** Templates by content type, lower case as API Gateway matches them. */
  private templates(templates: Record<string, unknown> | undefined): Record<string, string> {
    return Object.fromEntries(Object.entries(templates ?? {}).map(([contentType, template]) => [contentType.toLowerCase(), String(this.resolver.resolve(template))]));
  }

  /** A method's model: a `Ref` to an `AWS::ApiGateway::Model`, or a model name (one of the API's, or `Empty` / `Error`). */
  private modelSchema(model: unknown): object {
    const ref = (model as { Ref?: string }).Ref;
    const modelId = ref ?? this.ofApi('AWS::ApiGateway::Model').find((id) => this.resolver.resolve(this.resources[id].Properties?.Name) === model);
    if (modelId === undefined) {
      const builtIn = BUILT_IN_MODELS[String(model)];
      if (builtIn === undefined) throw new Error(`${constructPath(this.stack, this.apiId)}: no model named ${JSON.stringify(model)}`);
      return builtIn;
    }
    const schema = this.resolver.resolve(this.resources[modelId].Properties?.Schema ?? {});
    return typeof schema === 'string' ? JSON.parse(schema) : schema as object;
  }

  /** The keys of the usage plans that name one of this API's stages (`ApiStages`), and keys naming it in `StageKeys`. */
  private apiKeys(): ApiKeyDefinition[] {
    const plans = resourcesOfType(this.stack.template, 'AWS::ApiGateway::UsagePlan')
      .filter((id) => (this.resources[id].Properties?.ApiStages ?? []).some((stage: { ApiId?: unknown }) => this.refersTo(stage.ApiId, this.apiId)));
    const keyIds = new Set<string>(resourcesOfType(this.stack.template, 'AWS::ApiGateway::UsagePlanKey')
      .map((id) => this.resources[id].Properties ?? {})
      .filter((link) => plans.some((plan) => this.refersTo(link.UsagePlanId, plan)))
      .map((link) => (link.KeyId as { Ref: string }).Ref));
    for (const keyId of resourcesOfType(this.stack.template, 'AWS::ApiGateway::ApiKey')) {
      const stageKeys: Array<{ RestApiId?: unknown }> = this.resources[keyId].Properties?.StageKeys ?? [];
      if (stageKeys.some((stageKey) => this.refersTo(stageKey.RestApiId, this.apiId))) keyIds.add(keyId);
    }
    return [...keyIds].filter((id) => this.resources[id]?.Type === 'AWS::ApiGateway::ApiKey').map((id) => {
      const properties = this.resources[id].Properties ?? {};
      return {
        logicalId: id,
        value: properties.Value === undefined ? undefined : String(this.resolver.resolve(properties.Value)),
        enabled: properties.Enabled !== false,
      };
    });
  }
}
