import { AssemblyStack, constructPath, resourcesOfType } from '../assembly/cloud-assembly';
import { IntrinsicResolver } from '../assembly/intrinsics';
import type { FunctionFacts, PipelineFacts } from './usage';

/** Resources whose requests a bill names, by the construct path of their local name. */
const NAMED_TYPES = ['AWS::DynamoDB::Table', 'AWS::DynamoDB::GlobalTable', 'AWS::SQS::Queue', 'AWS::SNS::Topic', 'AWS::S3::Bucket'];

/** What the template of `stack` says a bill of the state machine `logicalId` (whose id is `id`) needs. */
export function pipelineFacts(stack: AssemblyStack, logicalId: string, id: string): PipelineFacts {
  const resolver = IntrinsicResolver.of(stack);
  const properties = stack.template.Resources[logicalId].Properties ?? {};
  const logging = properties.LoggingConfiguration ?? {};
  const fedByEventSource = new Set(resourcesOfType(stack.template, 'AWS::Lambda::EventSourceMapping')
    .map((esm) => String(resolver.resolve(stack.template.Resources[esm].Properties?.FunctionName)).split(':').pop()));
  const functions: Record<string, FunctionFacts> = {};
  for (const fn of resourcesOfType(stack.template, 'AWS::Lambda::Function')) {
    const p = stack.template.Resources[fn].Properties ?? {};
    functions[fn] = {
      id: constructPath(stack, fn),
      memoryMb: Number(p.MemorySize ?? 128),
      architecture: (p.Architectures ?? ['x86_64'])[0] === 'arm64' ? 'arm64' : 'x86_64',
      tracing: p.TracingConfig?.Mode === 'Active',
      fedByEventSource: fedByEventSource.has(resolver.physicalName(fn)),
    };
  }
  const names: Record<string, string> = {};
  for (const resource of NAMED_TYPES.flatMap((type) => resourcesOfType(stack.template, type))) {
    names[resolver.physicalName(resource)] = constructPath(stack, resource);
  }
  return {
    id,
    type: properties.StateMachineType === 'EXPRESS' ? 'EXPRESS' : 'STANDARD',
    logLevel: ['ALL', 'ERROR', 'FATAL'].includes(logging.Level) ? logging.Level : 'OFF',
    includeExecutionData: logging.IncludeExecutionData === true,
    tracing: properties.TracingConfiguration?.Enabled === true,
    definition: resolver.stateMachineDefinition(logicalId),
    functions,
    names,
    fifoQueues: resourcesOfType(stack.template, 'AWS::SQS::Queue')
      .filter((q) => stack.template.Resources[q].Properties?.FifoQueue === true).map((q) => resolver.physicalName(q)),
  };
}
