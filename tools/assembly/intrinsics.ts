import * as fs from 'node:fs';
import { AssemblyStack, CfnTemplate, fileAssets } from './cloud-assembly';

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
  'AWS::Events::EventBus': 'Name',
  'AWS::Events::Rule': 'Name',
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
  'AWS::Events::EventBus': (n) => `arn:aws:events:${LOCAL_REGION}:${LOCAL_ACCOUNT}:event-bus/${n}`,
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

/** How a resolver names what only the running local engines know. */
export interface IntrinsicResolverOptions {
  /**
   * The URL of a queue of the template, by logical id: the local SQS's, which a handler's SQS client must be given (the
   * SDK sends a request to the host of its QueueUrl).
   * @default - the URL AWS would give it, https://sqs.<region>.amazonaws.com/<account>/<name>
   */
  readonly queueUrl?: (logicalId: string) => string | undefined;
}

/**
 * Resolves the intrinsic functions the CDK emits (Ref, Fn::GetAtt Arn, Fn::Join,
 * Fn::Sub, Fn::Select, Fn::Split, Fn::ImportValue) against local names, so a template value such as a state
 * machine's DefinitionString becomes the literal the service would see.
 *
 * Hand-written because no maintained library resolves templates offline without
 * deploying them; it covers what CDK L2 constructs synthesize and names anything else.
 */
export class IntrinsicResolver {
  /** A resolver for a stack of an assembly, which reads a definition in S3 from the stack's file assets. */
  static of(stack: AssemblyStack, options?: IntrinsicResolverOptions): IntrinsicResolver {
    return new IntrinsicResolver(stack.template, stack, options);
  }

  /**
   * @param template the template; `Fn::ImportValue` reads the exports of its `Outputs` (a stack merged with those it imports)
   * @param stack the stack of the assembly the template is, whose file assets hold definitions in S3 @default - none
   */
  constructor(private readonly template: CfnTemplate, private readonly stack?: AssemblyStack, private readonly options: IntrinsicResolverOptions = {}) {}

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

  /** A queue's URL, what its `Ref` and its `QueueUrl` attribute give (see {@link IntrinsicResolverOptions.queueUrl}). */
  queueUrl(logicalId: string): string {
    return this.options.queueUrl?.(logicalId) ?? `https://sqs.${LOCAL_REGION}.amazonaws.com/${LOCAL_ACCOUNT}/${this.physicalName(logicalId)}`;
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
          return PSEUDO_PARAMETERS[arg] ?? this.ref(arg);
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
        case 'Fn::ImportValue':
          return this.importValue(String(this.resolve(arg)));
        default:
          if (key.startsWith('Fn::')) throw new Error(`the local run cannot resolve ${key}`);
      }
    }
    return Object.fromEntries(entries.map(([k, v]) => [k, this.resolve(v)]));
  }

  /** The value of the export `name` among the template's outputs: those of the stacks merged into it. */
  private importValue(name: string): unknown {
    const output = Object.values(this.template.Outputs ?? {}).find((o) => o.Export !== undefined && this.resolve(o.Export.Name) === name);
    if (!output) throw new Error(`the local run cannot resolve Fn::ImportValue '${name}': no stack read with this one exports it`);
    return this.resolve(output.Value);
  }

  /** What `Ref` gives: a topic's or state machine's ARN, a queue's URL, any other resource's name. */
  private ref(logicalId: string): string {
    const { Type } = this.resource(logicalId);
    if (REF_IS_ARN.has(Type)) return this.arn(logicalId);
    return Type === 'AWS::SQS::Queue' ? this.queueUrl(logicalId) : this.physicalName(logicalId);
  }

  private getAtt(logicalId: string, attribute: string): string {
    if (attribute === 'Arn') return this.arn(logicalId);
    if (attribute === 'QueueUrl' && this.resource(logicalId).Type === 'AWS::SQS::Queue') return this.queueUrl(logicalId);
    if (['Name', 'TableName', 'StateMachineName', 'QueueName', 'TopicName'].includes(attribute)) return this.physicalName(logicalId);
    throw new Error(`the local run cannot resolve Fn::GetAtt ${logicalId}.${attribute}`);
  }

  private sub(text: string, variables: Record<string, unknown>): string {
    return text.replace(/\$\{([^}!][^}]*)\}/g, (_, name: string) => {
      if (name in variables) return String(this.resolve(variables[name]));
      if (name in PSEUDO_PARAMETERS) return PSEUDO_PARAMETERS[name];
      const [logicalId, attribute] = name.split('.');
      return attribute ? this.getAtt(logicalId, attribute) : this.ref(logicalId);
    });
  }

  /**
   * A state machine's definition, from `DefinitionString`, `Definition` or `DefinitionS3Location` (a file asset of the
   * assembly, JSON or YAML), with every intrinsic resolved and `DefinitionSubstitutions` applied: what the local run
   * executes and `diagram` draws.
   */
  stateMachineDefinition(logicalId: string): any {
    const properties = this.resource(logicalId).Properties ?? {};
    let text: string;
    let file: string | undefined;
    if (properties.DefinitionString !== undefined) text = String(this.resolve(properties.DefinitionString));
    else if (properties.Definition !== undefined) text = JSON.stringify(this.resolve(properties.Definition));
    else if (properties.DefinitionS3Location !== undefined) {
      file = this.definitionFile(logicalId, properties.DefinitionS3Location);
      text = fs.readFileSync(file, 'utf8');
    } else throw new Error(`${logicalId} has no definition (neither DefinitionString, Definition nor DefinitionS3Location)`);
    const substitutions = (this.resolve(properties.DefinitionSubstitutions ?? {}) ?? {}) as Record<string, unknown>;
    for (const [name, value] of Object.entries(substitutions)) text = text.split(`\${${name}}`).join(String(value));
    return file !== undefined && /\.ya?ml$/i.test(file) ? parseYamlDefinition(text, logicalId, file) : JSON.parse(text);
  }

  /**
   * The file of the assembly a `DefinitionS3Location` names: the file asset published to that bucket and key
   * (`sfn.DefinitionBody.fromFile` makes one). A version is not checked: the asset's file is what the key holds.
   */
  private definitionFile(logicalId: string, location: unknown): string {
    let bucket: string;
    let key: string;
    try {
      ({ Bucket: bucket, Key: key } = this.resolve(location) as { Bucket: string; Key: string });
    } catch (error) {
      // The legacy synthesizer's asset parameters, say: not a location the assembly's asset manifests name.
      throw new Error(`${logicalId}: cannot read its DefinitionS3Location ${JSON.stringify(location)}: ${(error as Error).message}`, { cause: error });
    }
    const asset = this.stack && fileAssets(this.stack)
      .find((a) => a.objectKey === key && this.resolve({ 'Fn::Sub': a.bucketName }) === bucket);
    if (!asset) {
      throw new Error(`${logicalId}: DefinitionS3Location s3://${bucket}/${key} is not a file asset of the assembly `
        + '(the local run reads a definition in S3 only from the assembly, as sfn.DefinitionBody.fromFile puts it there)');
    }
    return asset.file;
  }

  private resource(logicalId: string) {
    const resource = this.template.Resources[logicalId];
    if (!resource) throw new Error(`the template has no resource '${logicalId}'`);
    return resource;
  }
}

/** Optional peers a definition form needs, loaded only when a definition has that form: YAML's parser. */
export const DEFINITION_FORM_PEERS = ['yaml'] as const;

/** A YAML definition as JSON, with the `yaml` package, loaded only for one. */
function parseYamlDefinition(text: string, logicalId: string, file: string): unknown {
  let yaml: typeof import('yaml');
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    yaml = require(DEFINITION_FORM_PEERS[0]);
  } catch {
    throw new Error(`${logicalId}'s definition is YAML (${file}): reading it needs the yaml package (npm install -D yaml)`);
  }
  return yaml.parse(text);
}
