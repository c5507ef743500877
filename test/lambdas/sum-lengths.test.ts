import { handler, MappedResultsValidationError, sumLengths } from '../../examples/handlers/sum-lengths';
import { wordLength } from '../../examples/handlers/word-length';
import seedInput from '../../examples/inputs/word-length.json';
import { lambdaContext } from '../support/lambda-context';

describe('sumLengths', () => {
  test('the seed lengths sum to 39', () => {
    expect(sumLengths([5, 6, 6, 4, 10, 3, 5].map((length) => ({ length })))).toEqual({ totalLength: 39 });
  });

  test('the seed input mapped by wordLength reduces to 39', () => {
    expect(sumLengths(seedInput.data.map(wordLength))).toEqual({ totalLength: 39 });
  });

  test('an empty list sums to 0', () => {
    expect(sumLengths([])).toEqual({ totalLength: 0 });
  });

  test('zero lengths are allowed', () => {
    expect(sumLengths([{ length: 0 }, { length: 2 }])).toEqual({ totalLength: 2 });
  });
});

describe('handler', () => {
  const context = lambdaContext({ functionName: 'sum-lengths' });

  test('returns the total of the mapped results it is given', async () => {
    await expect(handler([{ length: 5 }, { length: 6 }], context)).resolves.toEqual({ totalLength: 11 });
  });

  test('an empty list sums to 0', async () => {
    await expect(handler([], context)).resolves.toEqual({ totalLength: 0 });
  });

  test.each<[string, unknown, string]>([
    ['a non-array (the whole state instead of its results)', { mappedResults: [] }, 'mapped results must be an array (got {"mappedResults":[]})'],
    ['null', null, 'mapped results must be an array (got null)'],
    ['an element without length', [{ length: 1 }, {}], 'mapped result [1].length must be a non-negative integer (got {})'],
    ['a negative length', [{ length: -1 }], 'mapped result [0].length must be a non-negative integer (got {"length":-1})'],
    ['a non-integer length', [{ length: 1.5 }], 'mapped result [0].length must be a non-negative integer (got {"length":1.5})'],
    ['a string length', [{ length: '5' }], 'mapped result [0].length must be a non-negative integer (got {"length":"5"})'],
    ['a null element', [null], 'mapped result [0].length must be a non-negative integer (got null)'],
    ['a string element (which has a length of its own)', ['apple'], 'mapped result [0].length must be a non-negative integer (got "apple")'],
    ['an array element (which has a length of its own)', [[1, 2]], 'mapped result [0].length must be a non-negative integer (got [1,2])'],
  ])('%s throws MappedResultsValidationError naming what was wrong', async (_, results, message) => {
    const error = await handler(results, context).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(MappedResultsValidationError);
    expect(error).toMatchObject({ name: 'MappedResultsValidationError', message });
    expect(() => sumLengths(results)).toThrow(message);
  });
});
