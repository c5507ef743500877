import { isDistributedMap } from './interpreter';
import { allStates } from './task-integrations';

/** A definition uses what the local interpreter would skip, so a run of it would not be what AWS runs; nothing of it was run. */
export class UnsupportedDefinitionError extends Error {
  constructor(readonly uses: readonly { state: string; field: string }[]) {
    super(`the local run cannot run this definition as AWS would, it ignores: ${uses.map((u) => `${u.state} (${u.field})`).join(', ')}`);
    this.name = 'UnsupportedDefinitionError';
  }
}

/**
 * Fields aws-local-stepfunctions 3.0 skips although they change what a state does. JSONata and workflow variables
 * (`QueryLanguage`, `Assign`, `Arguments`, `Output`, `Condition`, `Items`) are the ones aws-cdk-lib makes one prop
 * away.
 */
const IGNORED_STATE_FIELDS = ['QueryLanguage', 'Assign', 'Arguments', 'Output', 'Items'];
/**
 * The distributed Map's item source, batching, result export and failure tolerance: emulated for a Map in
 * distributed mode (tools/local/distributed-map.ts); in an inline Map, Step Functions does not take them.
 */
const DISTRIBUTED_MAP_FIELDS = [
  'ItemReader', 'ItemBatcher', 'ResultWriter',
  'ToleratedFailureCount', 'ToleratedFailureCountPath', 'ToleratedFailurePercentage', 'ToleratedFailurePercentagePath',
];
/** The item sources the local run reads: an S3 object as a JSON array, JSON Lines or CSV, or the objects under a prefix. */
const ITEM_READER_RESOURCES = ['arn:aws:states:::s3:getObject', 'arn:aws:states:::s3:listObjectsV2'];
const ITEM_READER_INPUT_TYPES = ['JSON', 'JSONL', 'CSV'];
const WRITER_CONFIG: Record<string, string[]> = { OutputType: ['JSON', 'JSONL'], Transformation: ['NONE', 'COMPACT', 'FLATTEN'] };
/** The same in a Choice rule, a catcher or a retrier. */
const IGNORED_RULE_FIELDS = ['Assign', 'Output', 'Condition'];

/** Fields whose strings are JSONPath or intrinsic functions, where a `$name` is a variable reference. */
const PATH_FIELDS = ['InputPath', 'OutputPath', 'ResultPath', 'ItemsPath', 'Variable', 'SecondsPath', 'TimestampPath', 'TimeoutSecondsPath', 'HeartbeatSecondsPath', 'MaxConcurrencyPath', 'ErrorPath', 'CausePath'];
/** A `$` that starts a variable name: not `$$` (the context object), `$.` or `$[` (the input), nor inside a name. */
const VARIABLE_REFERENCE = /(?<![$\w])\$[A-Za-z_]/;
const JSONATA_EXPRESSION = /^\s*\{%[\s\S]*%\}\s*$/;

/**
 * Throws {@link UnsupportedDefinitionError} naming each state and field the local run would ignore — JSONata,
 * workflow variables, a distributed Map's item sources and result writers other than S3 objects, distributed Map
 * fields in an inline Map — so that no run succeeds with a result AWS would not give.
 */
export function refuseUnsupportedFields(definition: any): void {
  const uses: { state: string; field: string }[] = [];
  if (definition.QueryLanguage === 'JSONata') uses.push({ state: '(top level)', field: 'QueryLanguage: JSONata' });
  for (const [name, state] of allStates(definition)) {
    for (const field of IGNORED_STATE_FIELDS) if (field in state) uses.push({ state: name, field });
    if (isDistributedMap(state)) uses.push(...distributedMapUses(state).map((field) => ({ state: name, field })));
    else for (const field of DISTRIBUTED_MAP_FIELDS) if (field in state) uses.push({ state: name, field });
    const rules: Array<[string, any]> = [
      ...(state.Choices ?? []).map((r: any, i: number) => [`Choices[${i}]`, r] as [string, any]),
      ...(state.Catch ?? []).map((r: any, i: number) => [`Catch[${i}]`, r] as [string, any]),
    ];
    for (const [where, rule] of rules) {
      for (const field of IGNORED_RULE_FIELDS) if (field in rule) uses.push({ state: name, field: `${where}.${field}` });
    }
    for (const [field, value] of expressions(state)) {
      if (JSONATA_EXPRESSION.test(value)) uses.push({ state: name, field: `${field} (JSONata expression)` });
      else if (VARIABLE_REFERENCE.test(value)) uses.push({ state: name, field: `${field} (variable reference)` });
    }
  }
  if (uses.length > 0) throw new UnsupportedDefinitionError(uses);
}

/**
 * What of a distributed Map the local run does not emulate: item sources other than an S3 object (JSON, JSON Lines,
 * CSV) or a prefix (an S3 inventory manifest, Parquet), result writers other than S3 putObject, unknown WriterConfig.
 */
function distributedMapUses(state: any): string[] {
  const uses: string[] = [];
  const reader = state.ItemReader;
  if (reader) {
    if (!ITEM_READER_RESOURCES.includes(reader.Resource)) uses.push(`ItemReader.Resource (${reader.Resource})`);
    const inputType = reader.ReaderConfig?.InputType;
    if (reader.Resource === ITEM_READER_RESOURCES[0] && !ITEM_READER_INPUT_TYPES.includes(inputType ?? 'JSON')) uses.push(`ItemReader.ReaderConfig.InputType (${inputType})`);
    if (reader.ReaderConfig?.ManifestType !== undefined) uses.push(`ItemReader.ReaderConfig.ManifestType (${reader.ReaderConfig.ManifestType})`);
  }
  const writer = state.ResultWriter;
  if (writer?.Resource !== undefined && writer.Resource !== 'arn:aws:states:::s3:putObject') uses.push(`ResultWriter.Resource (${writer.Resource})`);
  for (const [field, allowed] of Object.entries(WRITER_CONFIG)) {
    const value = writer?.WriterConfig?.[field];
    if (value !== undefined && !allowed.includes(value)) uses.push(`ResultWriter.WriterConfig.${field} (${value})`);
  }
  return uses;
}

/** The strings of a state the interpreter evaluates, with where they are: path fields and `.$` fields of its templates. */
function* expressions(state: any): Generator<[string, string]> {
  for (const field of PATH_FIELDS) if (typeof state[field] === 'string') yield [field, state[field]];
  for (const field of ['Parameters', 'ItemSelector', 'ResultSelector', 'Result']) {
    if (state[field] !== undefined) yield* templateStrings(state[field], field);
  }
  const distributed: Array<[string, unknown]> = [
    ['ItemReader.Parameters', state.ItemReader?.Parameters], ['ItemBatcher.BatchInput', state.ItemBatcher?.BatchInput], ['ResultWriter.Parameters', state.ResultWriter?.Parameters],
  ];
  for (const [where, template] of distributed) if (template !== undefined) yield* templateStrings(template, where);
  for (const [i, rule] of (state.Choices ?? []).entries()) yield* choiceStrings(rule, `Choices[${i}]`);
  for (const [i, catcher] of (state.Catch ?? []).entries()) {
    if (typeof catcher.ResultPath === 'string') yield [`Catch[${i}].ResultPath`, catcher.ResultPath];
  }
}

/** The `.$` values of a payload template, and any string that is a JSONata expression. */
function* templateStrings(value: any, where: string, dynamic = false): Generator<[string, string]> {
  if (typeof value === 'string') {
    if (dynamic || JSONATA_EXPRESSION.test(value)) yield [where, value];
  } else if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) yield* templateStrings(item, `${where}[${i}]`);
  } else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) yield* templateStrings(item, `${where}.${key}`, key.endsWith('.$'));
  }
}

function* choiceStrings(rule: any, where: string): Generator<[string, string]> {
  for (const [key, value] of Object.entries<any>(rule)) {
    if (typeof value === 'string' && (key === 'Variable' || key.endsWith('Path'))) yield [`${where}.${key}`, value];
    if (key === 'And' || key === 'Or') for (const [i, inner] of value.entries()) yield* choiceStrings(inner, `${where}.${key}[${i}]`);
    if (key === 'Not') yield* choiceStrings(value, `${where}.Not`);
  }
}
