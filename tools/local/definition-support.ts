import { isVariableName } from './query-language/workflow-variables';
import { allStates, isDistributedMap } from '../assembly/definition-states';

/** A definition uses what the local interpreter would skip, so a run of it would not be what AWS runs; nothing of it was run. */
export class UnsupportedDefinitionError extends Error {
  constructor(readonly uses: readonly { state: string; field: string }[]) {
    super(`the local run cannot run this definition as AWS would, it ignores: ${uses.map((u) => `${u.state} (${u.field})`).join(', ')}`);
    this.name = 'UnsupportedDefinitionError';
  }
}

/** A definition Step Functions would refuse to create; nothing of it was run. */
export class InvalidDefinitionError extends Error {
  constructor(readonly problems: readonly { state: string; field: string; rule: string }[]) {
    super(`Step Functions would refuse this definition: ${problems.map((p) => `${p.state} (${p.field}: ${p.rule})`).join(', ')}`);
    this.name = 'InvalidDefinitionError';
  }
}

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

/**
 * Fields of one query language only (https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html,
 * "JSONata in Step Functions" and its table of the fields each language takes).
 */
const JSON_PATH_FIELDS = [
  'InputPath', 'Parameters', 'ResultSelector', 'ResultPath', 'OutputPath', 'ItemsPath', 'Result',
  'SecondsPath', 'TimestampPath', 'TimeoutSecondsPath', 'HeartbeatSecondsPath', 'MaxConcurrencyPath', 'ErrorPath', 'CausePath',
  'ToleratedFailureCountPath', 'ToleratedFailurePercentagePath',
];
const JSONATA_FIELDS = ['Arguments', 'Output', 'Items'];

/** The Run a Job and Wait for Callback integration patterns, which an Express state machine does not take. */
const WAITING_PATTERN = /\.(sync(:\d+)?|waitForTaskToken)$/;

/**
 * Throws {@link InvalidDefinitionError} for what Step Functions refuses in a definition's query languages and
 * variables — a JSONPath state in a JSONata state machine, one language's fields in a state of the other, a variable
 * name it does not take — then {@link UnsupportedDefinitionError} naming what the local run would not run as AWS
 * does: a distributed Map's item sources and result writers other than S3 objects,
 * distributed Map fields in an inline Map. Either way, nothing has run. An Express state machine's tasks take Request
 * Response integrations only: `.sync`, `.sync:2` and `.waitForTaskToken` are refused
 * (https://docs.aws.amazon.com/step-functions/latest/dg/integrate-optimized.html).
 */
export function refuseUnsupportedFields(definition: any, stateMachineType: 'STANDARD' | 'EXPRESS' = 'STANDARD'): void {
  const problems: { state: string; field: string; rule: string }[] = [];
  const uses: { state: string; field: string }[] = [];
  const top = definition.QueryLanguage ?? 'JSONPath';
  for (const [name, state] of allStates(definition)) {
    const language = state.QueryLanguage ?? top;
    if (stateMachineType === 'EXPRESS' && state.Type === 'Task' && WAITING_PATTERN.test(String(state.Resource))) {
      problems.push({ state: name, field: 'Resource', rule: `an Express state machine takes Request Response integrations only (got ${state.Resource})` });
    }
    if (top === 'JSONata' && language === 'JSONPath') problems.push({ state: name, field: 'QueryLanguage', rule: 'a state of a JSONata state machine cannot be JSONPath' });
    const foreign = language === 'JSONata' ? JSON_PATH_FIELDS : JSONATA_FIELDS;
    const rule = language === 'JSONata' ? 'a JSONPath field in a JSONata state' : 'a JSONata field in a JSONPath state';
    for (const field of foreign) if (field in state) problems.push({ state: name, field, rule });
    for (const [i, choice] of (state.Choices ?? []).entries()) {
      if (language === 'JSONata' && 'Variable' in choice) problems.push({ state: name, field: `Choices[${i}].Variable`, rule });
      if (language !== 'JSONata' && 'Condition' in choice) problems.push({ state: name, field: `Choices[${i}].Condition`, rule });
    }
    for (const [i, catcher] of (state.Catch ?? []).entries()) {
      if (language === 'JSONata' && 'ResultPath' in catcher) problems.push({ state: name, field: `Catch[${i}].ResultPath`, rule });
      if (language !== 'JSONata' && 'Output' in catcher) problems.push({ state: name, field: `Catch[${i}].Output`, rule });
    }
    const assigns: Array<[string, unknown]> = [
      ['Assign', state.Assign],
      ...(state.Choices ?? []).map((c: any, i: number) => [`Choices[${i}].Assign`, c.Assign] as [string, unknown]),
      ...(state.Catch ?? []).map((c: any, i: number) => [`Catch[${i}].Assign`, c.Assign] as [string, unknown]),
    ];
    for (const [where, assign] of assigns) {
      if (assign === undefined) continue;
      if (assign === null || typeof assign !== 'object' || Array.isArray(assign)) {
        problems.push({ state: name, field: where, rule: 'Assign is an object of variable names and values' });
        continue;
      }
      for (const key of Object.keys(assign)) {
        const variable = language === 'JSONPath' ? key.replace(/\.\$$/, '') : key;
        if (!isVariableName(variable)) problems.push({ state: name, field: `${where}.${key}`, rule: 'a variable name is a letter or underscore, then letters, digits or underscores, at most 80, not "states"' });
      }
    }
    for (const part of ['ItemReader', 'ResultWriter']) {
      const field = language === 'JSONata' ? 'Parameters' : 'Arguments';
      if (state[part] && field in state[part]) problems.push({ state: name, field: `${part}.${field}`, rule });
    }
    if (isDistributedMap(state)) {
      uses.push(...distributedMapUses(state).map((field) => ({ state: name, field })));
    } else {
      for (const field of DISTRIBUTED_MAP_FIELDS) if (field in state) uses.push({ state: name, field });
    }
  }
  if (problems.length > 0) throw new InvalidDefinitionError(problems);
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
