/** One target of a rule, as the template configures it (resolved to local names). */
export interface RuleTarget {
  readonly id: string;
  readonly arn: string;
  /** JSON text sent instead of the event. */
  readonly input?: string;
  /** The part of the event sent (a JSONPath of dotted names). */
  readonly inputPath?: string;
  /** Variables read from the event and the template they fill. */
  readonly inputTransformer?: { readonly inputPathsMap?: Record<string, string>; readonly inputTemplate: string };
}

/** A template target's `InputTransformer` (a rule's or a scheduled rule's), as {@link RuleTarget} holds it. */
export function inputTransformerOf(target: Record<string, any>): Pick<RuleTarget, 'inputTransformer'> {
  return target.InputTransformer === undefined ? {} : {
    inputTransformer: { inputPathsMap: target.InputTransformer.InputPathsMap, inputTemplate: String(target.InputTransformer.InputTemplate) },
  };
}

/** An event as EventBridge delivers it to rules and targets. */
export interface BusEvent {
  readonly 'version': '0';
  readonly 'id': string;
  readonly 'detail-type': string;
  readonly 'source': string;
  readonly 'account': string;
  readonly 'time': string;
  readonly 'region': string;
  readonly 'resources': readonly string[];
  readonly 'detail': unknown;
}

/**
 * The text a rule's target receives for `event`, as EventBridge makes it
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html): the target's Input as it
 * is, or the part of the event its InputPath names, or its InputTransformer's template filled from the event, or else the
 * event. `ingestionTime` is when the bus took the event (`<aws.events.event.ingestion-time>`).
 */
export function targetInput(target: RuleTarget, event: BusEvent, rule: { readonly name: string; readonly arn: string }, ingestionTime: string): string {
  if (target.input !== undefined) return target.input;
  if (target.inputPath !== undefined) return JSON.stringify(selectPath(event, target.inputPath) ?? null);
  if (target.inputTransformer === undefined) return JSON.stringify(event);
  const { inputPathsMap = {}, inputTemplate } = target.inputTransformer;
  const { detail, ...withoutDetail } = event;
  const variables: Record<string, unknown> = {
    'aws.events.rule-arn': rule.arn,
    'aws.events.rule-name': rule.name,
    'aws.events.event.ingestion-time': ingestionTime,
    'aws.events.event': withoutDetail,
    'aws.events.event.json': event,
  };
  for (const [name, path] of Object.entries(inputPathsMap)) variables[name] = selectPath(event, path);
  return fillTemplate(inputTemplate, variables);
}

/**
 * The template with each `<name>` of a variable replaced: inside a JSON string by the value's text (a string as it is,
 * not escaped, as EventBridge does), elsewhere by the value as JSON. A variable whose path is not in the event is
 * `null` (an empty text inside a string); a `<...>` that names no variable stays as it is.
 */
export function fillTemplate(template: string, variables: Record<string, unknown>): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < template.length; i++) {
    const char = template[i];
    if (char === '\\' && inString) {
      out += template.slice(i, i + 2);
      i++;
      continue;
    }
    if (char === '"') inString = !inString;
    const placeholder = char === '<' ? /^<([A-Za-z0-9_.\-]+)>/.exec(template.slice(i)) : null;
    if (placeholder && placeholder[1] in variables) {
      const value = variables[placeholder[1]];
      out += inString ? (typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value)) : JSON.stringify(value ?? null);
      i += placeholder[0].length - 1;
      continue;
    }
    out += char;
  }
  return out;
}

/** A JSONPath of dotted names (`$`, `$.detail`, `$.resources[0]`): what rules' InputPath and InputPathsMap use. */
export function selectPath(event: unknown, inputPath: string): unknown {
  const steps = inputPath.replace(/^\$/, '').match(/\.[^.[\]]+|\[\d+\]/g) ?? [];
  return steps.reduce<any>((value, step) => value?.[step.startsWith('[') ? Number(step.slice(1, -1)) : step.slice(1)], event);
}
