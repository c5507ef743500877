import { AssemblyStack, constructPath, resourcesOfType } from '../../assembly/cloud-assembly';
import { IntrinsicResolver, LOCAL_ACCOUNT, LOCAL_REGION } from '../../assembly/intrinsics';
import { patternProblems } from './event-pattern';
import { inputTransformerOf, RuleTarget } from './target-input';

/** A rule of the app with an event pattern, on the default bus or on an event bus of the app. */
export interface EventRule {
  readonly logicalId: string;
  /** The construct path, e.g. `Shop/LargeOrders/Resource`. */
  readonly path: string;
  readonly name: string;
  readonly arn: string;
  /** The name of the bus the rule is on: `default`, or an app's bus. */
  readonly busName: string;
  readonly pattern: Record<string, unknown>;
  /** A rule whose State is DISABLED matches nothing. */
  readonly enabled: boolean;
  readonly targets: readonly RuleTarget[];
  /** What the local run cannot do for this rule, each naming the property and value: a rule with any matches nothing. */
  readonly unsupported: string[];
}

/** The name of the default event bus, which every account has. */
export const DEFAULT_BUS = 'default';

/**
 * The rules of a stack that have an EventPattern (the ones with only a ScheduleExpression are the scheduler's,
 * tools/local/schedules/). A rule with both is read here for its pattern.
 */
export function readEventRules(stack: AssemblyStack, resolver: IntrinsicResolver): EventRule[] {
  return resourcesOfType(stack.template, 'AWS::Events::Rule')
    .filter((id) => stack.template.Resources[id].Properties?.EventPattern !== undefined)
    .map((id) => readRule(stack, resolver, id));
}

/** The local names of the stack's event buses (`AWS::Events::EventBus`), with the default bus. */
export function eventBusNames(stack: AssemblyStack, resolver: IntrinsicResolver): string[] {
  return [DEFAULT_BUS, ...resourcesOfType(stack.template, 'AWS::Events::EventBus').map((id) => resolver.physicalName(id))];
}

/** The name of a bus given by name or by ARN (`arn:aws:events:<region>:<account>:event-bus/<name>`), as PutEvents and rules take it. */
export function busNameOf(nameOrArn: string | undefined): string {
  if (nameOrArn === undefined || nameOrArn === '') return DEFAULT_BUS;
  const arn = /^arn:[^:]+:events:[^:]*:[^:]*:event-bus\/(.+)$/.exec(nameOrArn);
  return arn ? arn[1] : nameOrArn;
}

function readRule(stack: AssemblyStack, resolver: IntrinsicResolver, logicalId: string): EventRule {
  const path = constructPath(stack, logicalId);
  let properties: Record<string, any>;
  try {
    properties = resolver.resolve(stack.template.Resources[logicalId].Properties ?? {}) as Record<string, any>;
  } catch (error) {
    // What the local run cannot resolve (e.g. an attribute of a resource it does not model) is named, and the rule matches nothing.
    return { logicalId, path, name: logicalId, arn: '', busName: DEFAULT_BUS, pattern: {}, enabled: false, targets: [], unsupported: [(error as Error).message] };
  }
  const name = String(properties.Name ?? logicalId);
  const busName = busNameOf(properties.EventBusName);
  const unsupported: string[] = [];
  const pattern = typeof properties.EventPattern === 'string' ? JSON.parse(properties.EventPattern) : properties.EventPattern;
  unsupported.push(...patternProblems(pattern).map((problem) => `EventPattern ${problem}`));
  const busAccount = /^arn:[^:]+:events:[^:]*:(\d+):/.exec(String(properties.EventBusName))?.[1];
  if (busAccount !== undefined && busAccount !== LOCAL_ACCOUNT) {
    unsupported.push(`EventBusName '${properties.EventBusName}' is a bus of another account`);
  }
  const targets = (properties.Targets ?? []).map((target: Record<string, any>): RuleTarget => ({
    id: String(target.Id),
    arn: String(target.Arn),
    ...target.Input !== undefined && { input: String(target.Input) },
    ...target.InputPath !== undefined && { inputPath: String(target.InputPath) },
    ...inputTransformerOf(target),
  }));
  return {
    logicalId,
    path,
    name,
    // Rules on a custom bus have the bus in their ARN: rule/<bus>/<name>.
    arn: `arn:aws:events:${LOCAL_REGION}:${LOCAL_ACCOUNT}:rule/${busName === DEFAULT_BUS ? '' : `${busName}/`}${name}`,
    busName,
    pattern,
    enabled: properties.State === undefined || properties.State === 'ENABLED',
    targets,
    unsupported,
  };
}
