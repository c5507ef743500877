import { createHash, randomUUID } from 'node:crypto';
import type JsonataFunction from 'jsonata';
import type { Expression } from 'jsonata';

/**
 * A JSONata expression as Step Functions writes it in a field: the whole string is `{% ... %}`, with nothing before
 * `{%` or after `%}` (https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html); any other string
 * is a literal.
 */
const JSONATA_EXPRESSION = /^\{%([\s\S]*)%\}$/;

/** Whether `value` is a JSONata expression (`{% ... %}`), not a literal string. */
export function isJsonataExpression(value: unknown): value is string {
  return typeof value === 'string' && JSONATA_EXPRESSION.test(value);
}

/**
 * A JSONata expression failed or gave what is not JSON; Step Functions' `States.QueryEvaluationError`, which a state's
 * `Retry` and `Catch` match (`States.ALL` included).
 */
export class QueryEvaluationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'States.QueryEvaluationError';
  }
}

/** The reserved `$states` variable of a JSONata state: what each field of the state can see. */
export interface StatesVariable {
  /** The state's input, as it entered. */
  readonly input: unknown;
  /** The task's, Map's or Parallel's result: in `Output` and `Assign` once the state has run. */
  readonly result?: unknown;
  /** `{ Error, Cause }`: in a catcher's `Output` and `Assign`. */
  readonly errorOutput?: unknown;
  /** The context object (`$$` in JSONPath). */
  readonly context: unknown;
}

// Loaded on first use: only a definition with JSONata needs the package (an optional peer of the local run).
let jsonata: typeof JsonataFunction | undefined;
const compiled = new Map<string, Expression>();

function compile(expression: string): Expression {
  let found = compiled.get(expression);
  if (!found) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    jsonata ??= require('jsonata') as typeof JsonataFunction;
    found = jsonata(expression);
    for (const [name, [implementation, signature]] of Object.entries(AWS_FUNCTIONS)) found.registerFunction(name, implementation, signature);
    compiled.set(expression, found);
  }
  return found;
}

/**
 * The functions Step Functions adds to JSONata
 * (https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html, "JSONata functions provided by Step Functions").
 */
const AWS_FUNCTIONS: Record<string, [(...args: any[]) => unknown, string]> = {
  partition: [(array: unknown[], size: number) => {
    if (!Number.isInteger(size) || size < 1) throw new Error(`$partition: the chunk size must be a positive integer, not ${size}`);
    const chunks: unknown[][] = [];
    for (let i = 0; i < array.length; i += size) chunks.push(array.slice(i, i + size));
    return chunks;
  }, '<an:a>'],
  range: [(start: number, end: number, step: number) => {
    if (![start, end, step].every(Number.isInteger) || step === 0) throw new Error('$range: start, end and step must be integers, step not 0');
    const values: number[] = [];
    for (let n = start; step > 0 ? n <= end : n >= end; n += step) values.push(n);
    return values;
  }, '<nnn:a>'],
  hash: [(data: string, algorithm: string) => {
    const node = HASH_ALGORITHMS[algorithm];
    if (!node) throw new Error(`$hash: the algorithm must be one of ${Object.keys(HASH_ALGORITHMS).join(', ')}, not ${algorithm}`);
    return createHash(node).update(data).digest('hex');
  }, '<ss:s>'],
  random: [(seed?: number) => (seed === undefined ? Math.random() : seededRandom(seed)), '<n?:n>'],
  uuid: [() => randomUUID(), '<:s>'],
  parse: [(text: string) => JSON.parse(text), '<s:x>'],
  // Step Functions leaves JSONata's $eval out and names $parse for it; locally it fails as it would there.
  eval: [() => {
    throw new Error('$eval is not available in Step Functions: use $parse to read JSON text');
  }, '<x-o?:x>'],
};

const HASH_ALGORITHMS: Record<string, string> = { 'MD5': 'md5', 'SHA-1': 'sha1', 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };

/** The same number for the same seed, in [0, 1) (mulberry32). */
function seededRandom(seed: number): number {
  let t = (Math.trunc(seed) + 0x6d2b79f5) | 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/**
 * Evaluates a JSONata field of a state: a `{% %}` string is an expression, an object or array is walked and each
 * expression in it evaluated, anything else is itself. `field` names the field in errors (`Arguments`, `Assign.total`).
 * The expressions see `$states` and the workflow variables in `variables`.
 */
export async function evaluateJsonata(template: unknown, field: string, states: StatesVariable, variables: Record<string, unknown>): Promise<unknown> {
  if (isJsonataExpression(template)) return evaluateExpression(template, field, states, variables);
  if (Array.isArray(template)) {
    return Promise.all(template.map((item, i) => evaluateJsonata(item, `${field}[${i}]`, states, variables)));
  }
  if (template !== null && typeof template === 'object') {
    const entries = await Promise.all(Object.entries(template).map(async ([key, value]) => [key, await evaluateJsonata(value, `${field}.${key}`, states, variables)]));
    return Object.fromEntries(entries);
  }
  return template;
}

async function evaluateExpression(text: string, field: string, states: StatesVariable, variables: Record<string, unknown>): Promise<unknown> {
  const expression = text.match(JSONATA_EXPRESSION)![1];
  let value: unknown;
  try {
    // `$` is not bound: a state's input is `$states.input`.
    value = await compile(expression).evaluate(undefined, { ...variables, states });
  } catch (error) {
    const e = error as { message?: string; code?: string };
    throw new QueryEvaluationError(`An error occurred while evaluating the expression '${text}' in field '${field}': ${e.code ? `${e.code}: ` : ''}${e.message ?? String(error)}`);
  }
  // Undefined (nothing matched) and functions are not JSON: Step Functions fails the state rather than drop the field.
  if (value === undefined || typeof value === 'function') {
    throw new QueryEvaluationError(`The JSONata expression '${text}' specified for the field '${field}' returned an unsupported result type.`);
  }
  // JSONata's sequences are arrays with extra properties, its numbers may be non-finite: the value as JSON holds it.
  const json = JSON.stringify(value);
  if (json === undefined) throw new QueryEvaluationError(`The JSONata expression '${text}' specified for the field '${field}' returned an unsupported result type.`);
  return JSON.parse(json);
}
