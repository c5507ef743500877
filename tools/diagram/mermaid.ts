/** A state machine definition in Amazon States Language, as parsed from its JSON. */
export interface AslDefinition {
  readonly StartAt: string;
  readonly States: Record<string, AslState>;
  readonly QueryLanguage?: string;
  readonly Comment?: string;
}

/** The fields of a state that the diagram shows; everything else is ignored. */
export interface AslState {
  readonly Type: string;
  readonly Next?: string;
  readonly End?: boolean;
  readonly Resource?: string;
  readonly Parameters?: Record<string, unknown>;
  readonly Arguments?: Record<string, unknown>;
  readonly Retry?: ReadonlyArray<{ readonly ErrorEquals: readonly string[]; readonly MaxAttempts?: number }>;
  readonly Catch?: ReadonlyArray<{ readonly ErrorEquals: readonly string[]; readonly Next: string; readonly Assign?: AslAssign }>;
  /** Workflow variables the state sets, in either query language. */
  readonly Assign?: AslAssign;
  readonly Choices?: readonly AslChoiceRule[];
  readonly Default?: string;
  readonly ItemProcessor?: AslDefinition & { readonly ProcessorConfig?: { readonly Mode?: string } };
  readonly Iterator?: AslDefinition;
  readonly ItemsPath?: string;
  readonly Items?: unknown;
  readonly ItemReader?: { readonly Resource?: string };
  readonly MaxConcurrency?: number;
  readonly Branches?: readonly AslDefinition[];
  readonly Seconds?: number | string;
  readonly SecondsPath?: string;
  readonly Timestamp?: string;
  readonly TimestampPath?: string;
  readonly Error?: string;
  readonly ErrorPath?: string;
}

/** An `Assign` field: variable names (a JSONPath state's dynamic ones end in `.$`) and their values or expressions. */
export type AslAssign = Readonly<Record<string, unknown>>;

/** A Choice rule (top level, with `Next`) or a nested one inside And/Or/Not. */
export interface AslChoiceRule {
  readonly Next?: string;
  readonly Variable?: string;
  readonly And?: readonly AslChoiceRule[];
  readonly Or?: readonly AslChoiceRule[];
  readonly Not?: AslChoiceRule;
  /** JSONata: `{% expression %}`. */
  readonly Condition?: string | boolean;
  /** Workflow variables set when this rule matches (a top-level rule only). */
  readonly Assign?: AslAssign;
  readonly [comparison: string]: unknown;
}

export interface MermaidOptions {
  /** A `%%` comment line naming the diagram. @default - no comment */
  readonly title?: string;
  /** Direction of the flowchart. @default 'TD' */
  readonly direction?: 'TD' | 'LR';
}

/**
 * Renders a state machine definition as a Mermaid flowchart: a node per state shaped by
 * its type (Task rectangle, Choice rhombus, Pass parallelogram, Wait hexagon, Succeed
 * stadium, Fail red flag), Map and Parallel states as (nested) subgraphs, Choice branches labelled with
 * their condition, Catch edges dashed and labelled with the errors, retries as `↻ N×`, the workflow
 * variables a state, a Choice rule or a catcher assigns as `assigns $name, …`. JSONata expressions are
 * shown without their `{% %}`, shortened.
 * Pure and deterministic: states in flow order from `StartAt`, so golden texts can compare it.
 */
export function toMermaid(definition: AslDefinition, options: MermaidOptions = {}): string {
  return toMermaidWithIds(definition, options).chart;
}

/** {@link toMermaid}'s chart, and the node id it gave each state (by state name), to style the states of a run. */
export function toMermaidWithIds(definition: AslDefinition, options: MermaidOptions = {}): { chart: string; nodeIds: ReadonlyMap<string, string> } {
  const writer = new FlowchartWriter();
  const lines = [`flowchart ${options.direction ?? 'TD'}`];
  if (options.title !== undefined) lines.push(`  %% ${options.title.replace(/\s+/g, ' ')}`);
  lines.push(...writer.graph(definition, '', 1));
  if (writer.failIds.length > 0) {
    lines.push('  classDef fail fill:#fde2e2,stroke:#c62828,color:#8e0000', `  class ${writer.failIds.join(',')} fail`);
  }
  return { chart: `${lines.join('\n')}\n`, nodeIds: writer.nodeIds };
}

/** Keywords of Mermaid's flowchart grammar (case-sensitive: `End` is a fine id, `end` closes a subgraph). */
const RESERVED_IDS = new Set(['end', 'graph', 'flowchart', 'subgraph', 'style', 'class', 'classDef', 'click', 'linkStyle', 'direction', 'default', 'call', 'href']);

/** Writes one (sub)graph at a time, keeping node ids unique across every level of nesting. */
class FlowchartWriter {
  readonly failIds: string[] = [];
  /** Each state's node (or subgraph) id, by state name: names are unique in a state machine, nested ones included. */
  readonly nodeIds = new Map<string, string>();
  private readonly usedIds = new Set<string>();

  /** The lines of a graph's nodes (nested subgraphs included) followed by its edges. */
  graph(definition: AslDefinition, scope: string, depth: number): string[] {
    const pad = '  '.repeat(depth);
    const start = this.newId(`${scope}Start`);
    const end = this.newId(`${scope}End`);
    const names = flowOrder(definition);
    const ids = new Map(names.map((name) => [name, this.newId(name)]));
    for (const [name, id] of ids) this.nodeIds.set(name, id);
    const idOf = (name: string) => ids.get(name) ?? this.unknownState(name);

    const nodes = [`${pad}${start}(("Start"))`];
    const edges = [`${pad}${start} --> ${idOf(definition.StartAt)}`];
    for (const name of names) {
      const state = definition.States[name];
      const id = idOf(name);
      nodes.push(...this.node(id, name, state, depth));
      const edge = (arrow: string, target: string, ...label: Array<string | undefined>) =>
        edges.push(`${pad}${id} ${arrow}${label.length === 0 ? '' : `|${quoted(...label)}|`} ${target}`);
      for (const rule of state.Choices ?? []) edge('-->', idOf(rule.Next!), describeRule(rule), describeAssign(rule.Assign));
      if (state.Default !== undefined) edge('-->', idOf(state.Default), 'default');
      if (state.Next !== undefined) edge('-->', idOf(state.Next));
      if (state.End === true || state.Type === 'Succeed') edge('-->', end);
      for (const catcher of state.Catch ?? []) edge('-.->', idOf(catcher.Next), catcher.ErrorEquals.join(', '), describeAssign(catcher.Assign));
    }
    nodes.push(`${pad}${end}((("End")))`);
    return [...nodes, ...edges];
  }

  /** The node of a state, or its subgraph for Map and Parallel. */
  private node(id: string, name: string, state: AslState, depth: number): string[] {
    const pad = '  '.repeat(depth);
    const assigns = describeAssign(state.Assign);
    const label = (...parts: Array<string | undefined>) => quoted(...parts, assigns);
    switch (state.Type) {
      case 'Map': {
        const processor = state.ItemProcessor ?? state.Iterator;
        if (!processor) return [`${pad}${id}[${label(name, describeMap(state), describeRetry(state))}]`];
        return [
          `${pad}subgraph ${id}[${label(name, describeMap(state), describeRetry(state))}]`,
          ...this.graph(processor, `${id}_`, depth + 1),
          `${pad}end`,
        ];
      }
      case 'Parallel':
        return [
          `${pad}subgraph ${id}[${label(name, 'Parallel', describeRetry(state))}]`,
          ...(state.Branches ?? []).flatMap((branch, i) => {
            const branchId = this.newId(`${id}_Branch${i + 1}`);
            return [
              `${pad}  subgraph ${branchId}[${quoted(`branch ${i + 1}`)}]`,
              ...this.graph(branch, `${branchId}_`, depth + 2),
              `${pad}  end`,
            ];
          }),
          `${pad}end`,
        ];
      case 'Task':
        return [`${pad}${id}[${label(name, describeTask(state), describeRetry(state))}]`];
      case 'Choice':
        return [`${pad}${id}{${label(name)}}`];
      case 'Pass':
        return [`${pad}${id}[/${label(name)}/]`];
      case 'Wait':
        return [`${pad}${id}{{${label(name, describeWait(state))}}}`];
      case 'Succeed':
        return [`${pad}${id}([${label(name)}])`];
      case 'Fail':
        this.failIds.push(id);
        return [`${pad}${id}>${label(name, state.Error === undefined ? state.ErrorPath : expressionText(state.Error))}]`];
      default:
        return [`${pad}${id}[${label(name, state.Type)}]`];
    }
  }

  /** A Mermaid-safe id derived from `name`, unique in the whole diagram. */
  private newId(name: string): string {
    let base = name.replace(/[^A-Za-z0-9_]+/g, '_').replace(/(?<=.)_$/, '');
    if (!/^[A-Za-z]/.test(base) || RESERVED_IDS.has(base)) base = `s_${base}`;
    let id = base;
    for (let n = 2; this.usedIds.has(id); n++) id = `${base}_${n}`;
    this.usedIds.add(id);
    return id;
  }

  private unknownState(name: string): never {
    throw new Error(`the definition refers to a state '${name}' that its scope does not define`);
  }
}

/** State names reachable from `StartAt` in breadth-first order, then any unreachable ones in definition order. */
function flowOrder(definition: AslDefinition): string[] {
  const seen = new Set<string>();
  const queue = [definition.StartAt];
  while (queue.length > 0) {
    const name = queue.shift()!;
    const state = definition.States[name];
    if (seen.has(name) || !state) continue;
    seen.add(name);
    queue.push(
      ...(state.Choices ?? []).map((r) => r.Next!),
      ...(state.Default !== undefined ? [state.Default] : []),
      ...(state.Next !== undefined ? [state.Next] : []),
      ...(state.Catch ?? []).map((c) => c.Next),
    );
  }
  return [...seen, ...Object.keys(definition.States).filter((name) => !seen.has(name))];
}

/**
 * Mermaid's entity codes for the characters that would end a quoted label or start markup;
 * `$$` would start a KaTeX formula. `#` goes first, since the codes themselves contain it.
 */
const ESCAPES: ReadonlyArray<[RegExp, string]> = [
  [/#/g, '#35;'], [/"/g, '#quot;'], [/</g, '#lt;'], [/>/g, '#gt;'], [/\[/g, '#91;'], [/\]/g, '#93;'],
  [/\{/g, '#123;'], [/\}/g, '#125;'], [/\|/g, '#124;'], [/`/g, '#96;'], [/\$\$/g, '#36;#36;'], [/\s+/g, ' '],
];

/** `text` made safe inside a quoted Mermaid label. */
export function escapeLabel(text: string): string {
  return ESCAPES.reduce((escaped, [pattern, code]) => escaped.replace(pattern, code), text);
}

/** A quoted label of the parts given, escaped, one line each. */
function quoted(...parts: Array<string | undefined>): string {
  return `"${parts.filter((p): p is string => !!p).map(escapeLabel).join('<br>')}"`;
}

/** Characters of a label's line made from a JSONata expression (a Choice condition, a Map's items, …) or an Assign's names. */
const MAX_EXPRESSION_LENGTH = 60;

/**
 * `assigns $jobId, $count`: the variables an `Assign` sets, named as states refer to them; when they do not fit
 * on one line, the first ones and `and 12 more`.
 */
function describeAssign(assign: AslAssign | undefined): string | undefined {
  const names = Object.keys(assign ?? {}).map((key) => `$${key.replace(/\.\$$/, '')}`);
  if (names.length === 0) return undefined;
  let shown = names.length;
  const text = (n: number) => `assigns ${names.slice(0, n).join(', ')}${n < names.length ? ` and ${names.length - n} more` : ''}`;
  while (shown > 1 && text(shown).length > MAX_EXPRESSION_LENGTH) shown--;
  return text(shown);
}

/** `lambda:invoke WordLengthMapFunction`: the integration without its ARN prefix, and the target it names. */
function describeTask(state: AslState): string | undefined {
  const resource = state.Resource ?? '';
  const lambdaArn = /^arn:[^:]+:lambda:[^:]*:[^:]*:function:([^:]+)/.exec(resource);
  if (lambdaArn) return `lambda ${withoutCdkHash(lambdaArn[1])}`;
  const activity = /^arn:[^:]+:states:[^:]*:[^:]*:activity:(.+)$/.exec(resource);
  if (activity) return `activity ${activity[1]}`;
  const integration = /^arn:[^:]+:states:::(.+)$/.exec(resource)?.[1] ?? resource;
  const target = taskTarget(state.Parameters ?? state.Arguments ?? {});
  return target === undefined ? integration : `${integration} ${target}`;
}

/** The parameters that name what an integration calls, in the order they are looked for. */
const TARGET_PARAMETERS = ['FunctionName', 'TableName', 'StateMachineArn', 'TopicArn', 'QueueUrl', 'Bucket', 'ClusterName', 'JobName'];

/** The short name of the resource an integration's parameters name (the last segment of an ARN or URL). */
function taskTarget(parameters: Record<string, unknown>): string | undefined {
  const value = TARGET_PARAMETERS.map((key) => parameters[key]).find((v) => typeof v === 'string') as string | undefined;
  if (value === undefined) return undefined;
  if (isJsonata(value)) return expressionText(value);
  return withoutCdkHash(value.split(/[:/]/).filter((s) => s).pop() ?? value);
}

/** `WordLengthMapFunction762A1E01` → `WordLengthMapFunction`: the hash the CDK appends to logical ids says nothing to a reader. */
function withoutCdkHash(name: string): string {
  return name.replace(/^(.*[A-Za-z])[0-9A-F]{8}(\.fifo)?$/, '$1$2');
}

/** `Map over $.data, 2 at a time`. */
function describeMap(state: AslState): string {
  const kind = state.ItemProcessor?.ProcessorConfig?.Mode === 'DISTRIBUTED' ? 'Distributed Map' : 'Map';
  const reader = state.ItemReader?.Resource ? /^arn:[^:]+:states:::(.+)$/.exec(state.ItemReader.Resource)?.[1] : undefined;
  const items = reader ?? state.ItemsPath ?? (typeof state.Items === 'string' ? expressionText(state.Items) : undefined);
  const over = items !== undefined && items !== '$' ? ` over ${items}` : '';
  const concurrency = state.MaxConcurrency ? `, ${state.MaxConcurrency} at a time` : '';
  return `${kind}${over}${concurrency}`;
}

/** `↻ 6×`: the attempts of each retrier (3 when `MaxAttempts` is omitted, as in Step Functions). */
function describeRetry(state: AslState): string | undefined {
  if (!state.Retry?.length) return undefined;
  return `↻ ${state.Retry.map((r) => `${r.MaxAttempts ?? 3}×`).join(', ')}`;
}

function describeWait(state: AslState): string {
  if (state.Seconds !== undefined) return typeof state.Seconds === 'number' ? `wait ${state.Seconds} s` : `wait ${expressionText(state.Seconds)} s`;
  if (state.SecondsPath !== undefined) return `wait ${state.SecondsPath} s`;
  return `until ${state.Timestamp === undefined ? state.TimestampPath : expressionText(state.Timestamp)}`;
}

const JSONATA = /^\s*\{%\s*([\s\S]*?)\s*%\}\s*$/;

function isJsonata(value: string): boolean {
  return JSONATA.test(value);
}

/** `{% $states.input.x > 5 %}` → `$states.input.x > 5`, on one line, cut with an ellipsis; any other text as it is. */
function expressionText(value: string): string {
  if (!isJsonata(value)) return value;
  const line = value.replace(JSONATA, '$1').replace(/\s+/g, ' ');
  return line.length <= MAX_EXPRESSION_LENGTH ? line : `${line.slice(0, MAX_EXPRESSION_LENGTH - 1)}…`;
}

const OPERATORS: Record<string, string> = {
  Equals: '==', LessThan: '<', GreaterThan: '>', LessThanEquals: '<=', GreaterThanEquals: '>=', Matches: 'matches',
};
const TYPE_TESTS: Record<string, string> = {
  IsPresent: 'present', IsNull: 'null', IsString: 'a string', IsNumeric: 'numeric', IsBoolean: 'a boolean', IsTimestamp: 'a timestamp',
};

/** A Choice rule in words: `$.itemsUri is present`, `$.x == 5`, `($.a > 1 and not ($.b == "x"))`. */
export function describeRule(rule: AslChoiceRule, nested = false): string {
  const group = (text: string) => (nested ? `(${text})` : text);
  if (rule.And) return group(rule.And.map((r) => describeRule(r, true)).join(' and '));
  if (rule.Or) return group(rule.Or.map((r) => describeRule(r, true)).join(' or '));
  if (rule.Not) return `not (${describeRule(rule.Not)})`;
  if (rule.Condition !== undefined) return typeof rule.Condition === 'string' ? expressionText(rule.Condition) : String(rule.Condition);
  for (const [key, value] of Object.entries(rule)) {
    if (key in TYPE_TESTS) return `${rule.Variable} is ${value === true ? '' : 'not '}${TYPE_TESTS[key]}`;
    const comparison = /^(String|Numeric|Boolean|Timestamp)(Equals|LessThan|GreaterThan|LessThanEquals|GreaterThanEquals|Matches)(Path)?$/.exec(key);
    if (comparison) {
      const operand = comparison[3] ? String(value) : JSON.stringify(value);
      return `${rule.Variable} ${OPERATORS[comparison[2]]} ${operand}`;
    }
  }
  throw new Error(`unknown Choice rule ${JSON.stringify(rule)}`);
}
