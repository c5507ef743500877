import { CfnTemplate } from './cloud-assembly';

/** The account and region every local resource lives in. */
export const LOCAL_ACCOUNT = '000000000000';
export const LOCAL_REGION = 'us-east-1';

/** Physical name properties, by resource type: the local run uses them when set, the logical id otherwise. */
const NAME_PROPERTY: Record<string, string> = {
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::DynamoDB::Table': 'TableName',
  'AWS::DynamoDB::GlobalTable': 'TableName',
  'AWS::StepFunctions::StateMachine': 'StateMachineName',
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::SNS::Topic': 'TopicName',
  'AWS::SQS::Queue': 'QueueName',
  'AWS::S3::Bucket': 'BucketName',
};

const ARN_PATTERN: Record<string, (name: string) => string> = {
  'AWS::Lambda::Function': (n) => `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${n}`,
  'AWS::DynamoDB::Table': (n) => `arn:aws:dynamodb:${LOCAL_REGION}:${LOCAL_ACCOUNT}:table/${n}`,
  'AWS::DynamoDB::GlobalTable': (n) => `arn:aws:dynamodb:${LOCAL_REGION}:${LOCAL_ACCOUNT}:table/${n}`,
  'AWS::StepFunctions::StateMachine': (n) => `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:${n}`,
  'AWS::IAM::Role': (n) => `arn:aws:iam::${LOCAL_ACCOUNT}:role/${n}`,
  'AWS::Logs::LogGroup': (n) => `arn:aws:logs:${LOCAL_REGION}:${LOCAL_ACCOUNT}:log-group:${n}:*`,
  'AWS::SNS::Topic': (n) => `arn:aws:sns:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${n}`,
  'AWS::SQS::Queue': (n) => `arn:aws:sqs:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${n}`,
  'AWS::S3::Bucket': (n) => `arn:aws:s3:::${n}`,
};

/** Types whose `Ref` is their ARN rather than their name. */
const REF_IS_ARN = new Set(['AWS::SNS::Topic', 'AWS::StepFunctions::StateMachine']);

const PSEUDO_PARAMETERS: Record<string, string> = {
  'AWS::Partition': 'aws',
  'AWS::Region': LOCAL_REGION,
  'AWS::AccountId': LOCAL_ACCOUNT,
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::StackName': 'local',
};

/**
 * Resolves the intrinsic functions the CDK emits (Ref, Fn::GetAtt Arn, Fn::Join,
 * Fn::Sub, Fn::Select, Fn::Split) against local names, so a template value such as a state
 * machine's DefinitionString becomes the literal the service would see.
 *
 * Hand-written because no maintained library resolves templates offline without
 * deploying them; it covers what CDK L2 constructs synthesize and names anything else.
 */
export class IntrinsicResolver {
  constructor(private readonly template: CfnTemplate) {}

  /** The physical name a resource has locally (FIFO topics and queues end in `.fifo`, as AWS requires). */
  physicalName(logicalId: string): string {
    const resource = this.resource(logicalId);
    const nameProperty = NAME_PROPERTY[resource.Type];
    const name = nameProperty ? resource.Properties?.[nameProperty] : undefined;
    if (name !== undefined) return String(this.resolve(name));
    // Bucket names are lower case, as the names CloudFormation generates for buckets are.
    if (resource.Type === 'AWS::S3::Bucket') return logicalId.toLowerCase();
    const fifo = resource.Properties?.FifoTopic === true || resource.Properties?.FifoQueue === true;
    return fifo ? `${logicalId}.fifo` : logicalId;
  }

  /** The ARN a resource has locally. */
  arn(logicalId: string): string {
    const type = this.resource(logicalId).Type;
    const pattern = ARN_PATTERN[type];
    if (!pattern) throw new Error(`the local run cannot name the ARN of ${logicalId} (${type})`);
    return pattern(this.physicalName(logicalId));
  }

  resolve(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((v) => this.resolve(v));
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value);
    if (entries.length === 1) {
      const [key, arg] = entries[0] as [string, any];
      switch (key) {
        case 'Ref':
          return PSEUDO_PARAMETERS[arg] ?? (REF_IS_ARN.has(this.resource(arg).Type) ? this.arn(arg) : this.physicalName(arg));
        case 'Fn::GetAtt':
          return this.getAtt(...((typeof arg === 'string' ? arg.split('.') : arg) as [string, string]));
        case 'Fn::Join':
          return (this.resolve(arg[1]) as unknown[]).join(arg[0]);
        case 'Fn::Select':
          return (this.resolve(arg[1]) as unknown[])[Number(this.resolve(arg[0]))];
        case 'Fn::Split':
          return String(this.resolve(arg[1])).split(String(arg[0]));
        case 'Fn::Sub':
          return this.sub(...((typeof arg === 'string' ? [arg, {}] : arg) as [string, Record<string, unknown>]));
        default:
          if (key.startsWith('Fn::')) throw new Error(`the local run cannot resolve ${key}`);
      }
    }
    return Object.fromEntries(entries.map(([k, v]) => [k, this.resolve(v)]));
  }

  private getAtt(logicalId: string, attribute: string): string {
    if (attribute === 'Arn') return this.arn(logicalId);
    if (['Name', 'TableName', 'StateMachineName', 'QueueName', 'TopicName'].includes(attribute)) return this.physicalName(logicalId);
    throw new Error(`the local run cannot resolve Fn::GetAtt ${logicalId}.${attribute}`);
  }

  private sub(text: string, variables: Record<string, unknown>): string {
    return text.replace(/\$\{([^}!][^}]*)\}/g, (_, name: string) => {
      if (name in variables) return String(this.resolve(variables[name]));
      if (name in PSEUDO_PARAMETERS) return PSEUDO_PARAMETERS[name];
      const [logicalId, attribute] = name.split('.');
      return attribute ? this.getAtt(logicalId, attribute) : this.physicalName(logicalId);
    });
  }

  /**
   * A state machine's definition, from `DefinitionString` or `Definition`, with every intrinsic
   * resolved and `DefinitionSubstitutions` applied: what the local run executes and `diagram` draws.
   */
  stateMachineDefinition(logicalId: string): any {
    const properties = this.resource(logicalId).Properties ?? {};
    if (properties.DefinitionString === undefined && properties.Definition === undefined) {
      throw new Error(`${logicalId} has neither DefinitionString nor Definition (a definition in S3 cannot be read offline)`);
    }
    let text = properties.DefinitionString !== undefined
      ? String(this.resolve(properties.DefinitionString))
      : JSON.stringify(this.resolve(properties.Definition));
    const substitutions = (this.resolve(properties.DefinitionSubstitutions ?? {}) ?? {}) as Record<string, unknown>;
    for (const [name, value] of Object.entries(substitutions)) text = text.split(`\${${name}}`).join(String(value));
    return JSON.parse(text);
  }

  private resource(logicalId: string) {
    const resource = this.template.Resources[logicalId];
    if (!resource) throw new Error(`the template has no resource '${logicalId}'`);
    return resource;
  }
}
