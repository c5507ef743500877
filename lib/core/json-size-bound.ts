/**
 * The most bytes a value valid against a JSON Schema (draft-07) can take as JSON (`JSON.stringify`, UTF-8),
 * when the schema bounds it; undefined when it does not (a string without maxLength, an open object...).
 *
 * Worst cases are counted: 6 bytes per string character (a control character escapes as `\u001f`),
 * 24 per number (`-1.2345678901234567e-308`), every declared property present. Keywords it does not
 * know (allOf, $ref, patterns...) make it answer undefined rather than guess.
 */
/**
 * The keywords the bound is computed from, and those that only narrow a value (never make it larger) or annotate it;
 * any other (allOf, $ref, patternProperties, if/then...) could allow more than these say.
 */
const KNOWN_KEYWORDS = new Set([
  'type', 'const', 'enum', 'maxLength', 'items', 'maxItems', 'properties', 'additionalProperties',
  'required', 'minLength', 'minItems', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf', 'pattern', 'format',
  'title', 'description', 'default', 'examples', '$schema', '$id', '$comment',
]);

export function largestJsonBytes(schema: unknown): number | undefined {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return undefined;
  const s = schema as Record<string, unknown>;
  if (Object.keys(s).some((keyword) => !KNOWN_KEYWORDS.has(keyword))) return undefined;
  if ('const' in s) return jsonBytes(s.const);
  if (Array.isArray(s.enum)) return Math.max(...s.enum.map(jsonBytes));
  if (Array.isArray(s.type)) return maxOf(s.type.map((type) => largestJsonBytes({ ...s, type })));
  switch (s.type) {
    case 'null': return 4;
    case 'boolean': return 5;
    case 'integer':
    case 'number': return 24;
    case 'string': return typeof s.maxLength === 'number' ? 2 + 6 * s.maxLength : undefined;
    case 'array': {
      const item = largestJsonBytes(s.items);
      if (typeof s.maxItems !== 'number' || item === undefined) return undefined;
      return 2 + s.maxItems * (item + 1);
    }
    case 'object': {
      if (s.additionalProperties !== false || typeof s.properties !== 'object' || s.properties === null) return undefined;
      const members = Object.entries(s.properties).map(([name, property]) => {
        const value = largestJsonBytes(property);
        return value === undefined ? undefined : jsonBytes(name) + 1 + value + 1;
      });
      const sum = members.reduce<number | undefined>((total, member) => (total === undefined || member === undefined ? undefined : total + member), 2);
      return sum;
    }
    default: return undefined;
  }
}

function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? 'null');
}

function maxOf(values: Array<number | undefined>): number | undefined {
  return values.some((value) => value === undefined) ? undefined : Math.max(...(values as number[]));
}
