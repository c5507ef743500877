/**
 * EventBridge's event patterns, matched on this machine
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html,
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html).
 *
 * Hand-written: no maintained npm package matches EventBridge patterns offline (AWS's own matcher, Event Ruler, is Java;
 * the npm registry's EventBridge packages are clients or plugins of other frameworks). A pattern is an object: every
 * field it names must match (AND), and a field's array of matchers matches when one of them does (OR); `$or` at any
 * level takes sub-patterns of which one must match. An event field that is an array matches when one of its elements does.
 */

type Json = unknown;
type Pattern = Record<string, Json>;

/** Whether `event` matches the event pattern `pattern`. Throws naming an operator the local run does not know. */
export function matchesPattern(pattern: Pattern, event: Json): boolean {
  return Object.entries(pattern).every(([field, value]) => {
    if (field === '$or') return (value as Pattern[]).some((alternative) => matchesPattern(alternative, event));
    const present = isObject(event) && field in event && event[field] !== undefined;
    const eventValue = present ? (event as Record<string, Json>)[field] : undefined;
    if (Array.isArray(value)) return matchesField(value, present, eventValue);
    // A nested pattern: the field is an object, or an array of objects one of which matches.
    if (!present) return false;
    const candidates = Array.isArray(eventValue) ? eventValue : [eventValue];
    return candidates.some((candidate) => isObject(candidate) && matchesPattern(value as Pattern, candidate));
  });
}

/** What of a pattern the local run cannot match (an unknown operator, a malformed one), each naming it: empty when all can be. */
export function patternProblems(pattern: Json, at = ''): string[] {
  if (!isObject(pattern)) return [`${at || 'the pattern'} must be an object (got ${JSON.stringify(pattern)})`];
  return Object.entries(pattern).flatMap(([field, value]) => {
    const where = at ? `${at}.${field}` : field;
    if (field === '$or') {
      return Array.isArray(value) ? value.flatMap((alternative, i) => patternProblems(alternative, `${where}[${i}]`)) : [`${where} must be an array of patterns`];
    }
    if (Array.isArray(value)) return value.flatMap((matcher) => matcherProblems(matcher, where));
    return patternProblems(value, where);
  });
}

function matcherProblems(matcher: Json, where: string): string[] {
  if (!isObject(matcher)) return [];
  const [operator, ...more] = Object.keys(matcher);
  if (more.length > 0) return [`${where}: a matcher has one operator (got ${Object.keys(matcher).join(', ')})`];
  if (!(operator in OPERATORS)) return [`${where}: the local run does not know the operator '${operator}'`];
  try {
    OPERATORS[operator](matcher[operator], { present: true, values: [] });
    return [];
  } catch (error) {
    return [`${where}: ${(error as Error).message}`];
  }
}

/** A field's matchers against the field: one of them matching is enough. */
function matchesField(matchers: Json[], present: boolean, value: Json): boolean {
  // An array field matches on its elements; an empty array has none to match. Matchers work on leaves: an object is
  // none ("exists": false matches a field that is an object, as AWS's exists example shows).
  const values = (!present ? [] : Array.isArray(value) ? value : [value]).filter((v) => !isObject(v));
  const field = { present: values.length > 0, values };
  return matchers.some((matcher) => {
    if (!isObject(matcher)) return values.some((v) => v === matcher);
    const [operator] = Object.keys(matcher);
    const match = OPERATORS[operator];
    if (!match) throw new Error(`the local run does not know the event pattern operator '${operator}'`);
    return match(matcher[operator], field);
  });
}

interface Field {
  readonly present: boolean;
  readonly values: readonly Json[];
}

const OPERATORS: Record<string, (argument: any, field: Field) => boolean> = {
  'exists': (exists, { present }) => {
    if (typeof exists !== 'boolean') throw new Error(`exists takes true or false (got ${JSON.stringify(exists)})`);
    return exists === present;
  },
  'prefix': (argument, { values }) => strings(values).some(textTest(argument, 'prefix')),
  'suffix': (argument, { values }) => strings(values).some(textTest(argument, 'suffix')),
  'equals-ignore-case': (argument, { values }) => strings(values).some(textTest({ 'equals-ignore-case': argument }, 'equals-ignore-case')),
  'wildcard': (argument, { values }) => strings(values).some(wildcardTest(argument)),
  'numeric': (argument, { values }) => {
    const test = numericTest(argument);
    return values.some((v) => typeof v === 'number' && test(v));
  },
  'cidr': (argument, { values }) => {
    const test = cidrTest(argument);
    return strings(values).some(test);
  },
  'anything-but': (argument, { values }) => {
    const excluded = anythingButTest(argument);
    return values.some((v) => !excluded(v));
  },
};

function strings(values: readonly Json[]): string[] {
  return values.filter((v): v is string => typeof v === 'string');
}

/** `prefix`/`suffix`/`equals-ignore-case` of a string, or of `{ "equals-ignore-case": string }` for prefix and suffix. */
function textTest(argument: Json, kind: 'prefix' | 'suffix' | 'equals-ignore-case'): (value: string) => boolean {
  const ignoreCase = isObject(argument) && typeof argument['equals-ignore-case'] === 'string';
  const text = ignoreCase ? (argument as Record<string, string>)['equals-ignore-case'] : argument;
  if (typeof text !== 'string') throw new Error(`${kind} takes a string${kind === 'equals-ignore-case' ? '' : ' or { "equals-ignore-case": string }'} (got ${JSON.stringify(argument)})`);
  const fold = (s: string) => (ignoreCase ? s.toLowerCase() : s);
  const wanted = fold(text);
  if (kind === 'prefix') return (value) => fold(value).startsWith(wanted);
  if (kind === 'suffix') return (value) => fold(value).endsWith(wanted);
  return (value) => fold(value) === wanted;
}

/** `*` matches any run of characters; `\*` is a literal star and `\\` a backslash. */
function wildcardTest(argument: Json): (value: string) => boolean {
  if (typeof argument !== 'string') throw new Error(`wildcard takes a string (got ${JSON.stringify(argument)})`);
  const source = argument.replace(/\\\*|\\\\|\*|[.+?^${}()|[\]\\]/g, (token) => {
    if (token === '*') return '.*';
    if (token === '\\*') return '\\*';
    if (token === '\\\\') return '\\\\';
    return `\\${token}`;
  });
  const regex = new RegExp(`^${source}$`, 's');
  return (value) => regex.test(value);
}

const COMPARISONS: Record<string, (a: number, b: number) => boolean> = {
  '<': (a, b) => a < b, '<=': (a, b) => a <= b, '=': (a, b) => a === b, '>': (a, b) => a > b, '>=': (a, b) => a >= b,
};

/** `[">", 0, "<=", 5]`: every comparison holds. */
function numericTest(argument: Json): (value: number) => boolean {
  if (!Array.isArray(argument) || argument.length === 0 || argument.length % 2 !== 0) throw new Error(`numeric takes pairs of an operator and a number (got ${JSON.stringify(argument)})`);
  const conditions: Array<[(a: number, b: number) => boolean, number]> = [];
  for (let i = 0; i < argument.length; i += 2) {
    const compare = COMPARISONS[argument[i]];
    if (!compare || typeof argument[i + 1] !== 'number') throw new Error(`numeric: '${argument[i]}' ${JSON.stringify(argument[i + 1])} is not one of <, <=, =, >, >= and a number`);
    conditions.push([compare, argument[i + 1]]);
  }
  return (value) => conditions.every(([compare, bound]) => compare(value, bound));
}

/** An IPv4 address within the block (IPv6 blocks are not matched locally: named when the rule is read). */
function cidrTest(argument: Json): (value: string) => boolean {
  const match = typeof argument === 'string' ? /^(\d+\.\d+\.\d+\.\d+)\/(\d|[12]\d|3[0-2])$/.exec(argument) : null;
  const network = match ? ipv4(match[1]) : undefined;
  if (!match || network === undefined) throw new Error(`cidr takes an IPv4 block such as 10.0.0.0/24 (got ${JSON.stringify(argument)}; IPv6 is not matched locally)`);
  const bits = Number(match[2]);
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return (value) => {
    const address = ipv4(value);
    return address !== undefined && ((address & mask) >>> 0) === ((network & mask) >>> 0);
  };
}

function ipv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

/**
 * What `anything-but` excludes: a value, a list of values, or `{ prefix | suffix | equals-ignore-case | wildcard }`
 * (the last two with a string or a list of strings).
 */
function anythingButTest(argument: Json): (value: Json) => boolean {
  if (Array.isArray(argument)) return (value) => argument.includes(value);
  if (!isObject(argument)) return (value) => value === argument;
  const [operator] = Object.keys(argument);
  const operand = argument[operator];
  const tests: Array<(value: string) => boolean> = operator === 'wildcard'
    ? [operand].flat().map(wildcardTest)
    : ['prefix', 'suffix', 'equals-ignore-case'].includes(operator)
      ? [operand].flat().map((text) => textTest(operator === 'equals-ignore-case' ? { 'equals-ignore-case': text } : text, operator as 'prefix'))
      : [];
  if (tests.length === 0) throw new Error(`anything-but takes a value, a list, or { prefix | suffix | equals-ignore-case | wildcard } (got ${JSON.stringify(argument)})`);
  // A value that is not a string is none of these, so anything-but matches it.
  return (value) => typeof value === 'string' && tests.some((test) => test(value));
}

function isObject(value: Json): value is Record<string, Json> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
