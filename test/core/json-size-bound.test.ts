import { largestJsonBytes } from '../../lib/core/json-size-bound';

describe('largestJsonBytes: the worst-case JSON size a schema admits', () => {
  test.each<[string, object, number]>([
    ['a string of at most 10 characters: quotes and 6 bytes a character (\\u001f escapes)', { type: 'string', maxLength: 10 }, 62],
    ['an integer', { type: 'integer' }, 24],
    ['a boolean', { type: 'boolean' }, 5],
    ['null', { type: 'null' }, 4],
    ['an enum: its longest value', { enum: ['a', 'abc', 12] }, 5],
    ['a const', { const: { a: 1 } }, 7],
    ['a union of types: the larger', { type: ['string', 'null'], maxLength: 1 }, 8],
    ['an array of at most 3 booleans: brackets, items and separators', { type: 'array', maxItems: 3, items: { type: 'boolean' } }, 2 + 3 * 6],
    ['a closed object: every property present', {
      type: 'object', additionalProperties: false, properties: { word: { type: 'string', maxLength: 4 }, n: { type: 'integer' } },
    }, 2 + (6 + 1 + 26 + 1) + (3 + 1 + 24 + 1)],
  ])('%s', (_, schema, bytes) => {
    expect(largestJsonBytes(schema)).toBe(bytes);
  });

  test.each<[string, unknown]>([
    ['a string without maxLength', { type: 'string' }],
    ['an object open to more properties', { type: 'object', properties: { a: { type: 'integer' } } }],
    ['an array without maxItems', { type: 'array', items: { type: 'integer' } }],
    ['a closed object with an unbounded property', { type: 'object', additionalProperties: false, properties: { a: { type: 'string' } } }],
    ['a schema of keywords it does not know', { allOf: [{ type: 'string', maxLength: 1 }] }],
    ['a closed object whose patternProperties allow more', { type: 'object', additionalProperties: false, properties: { a: { type: 'integer' } }, patternProperties: { '^x': { type: 'string' } } }],
    ['a bounded string beside a keyword it does not know', { type: 'string', maxLength: 1, anyOf: [{ type: 'string' }] }],
    ['not a schema', 'string'],
  ])('undefined for %s', (_, schema) => {
    expect(largestJsonBytes(schema)).toBeUndefined();
  });
});
