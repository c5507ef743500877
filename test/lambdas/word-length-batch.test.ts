import { BatchValidationError, handler, wordLengthsOfBatch } from '../../examples/handlers/word-length-batch';
import { lambdaContext } from '../support/lambda-context';

describe('wordLengthsOfBatch: the distributed example\'s map step, over a batch', () => {
  test('one outcome per item, in order; a bad item is an outcome of its own, not a failed batch', () => {
    expect(wordLengthsOfBatch({ items: [{ word: 'apple' }, { wrd: 'typo' }, { word: 'fig' }] })).toEqual([
      { length: 5 },
      { error: 'item.word must be a string (got undefined)' },
      { length: 3 },
    ]);
  });

  test('an empty batch has no outcomes', () => {
    expect(wordLengthsOfBatch({ items: [] })).toEqual([]);
  });

  test.each([[{ Items: [] }], [[{ word: 'apple' }]], [null]])('an event that is not { items: [...] } fails the batch with BatchValidationError: %j', (event) => {
    expect(() => wordLengthsOfBatch(event)).toThrow(BatchValidationError);
  });

  test('the handler returns the outcomes', async () => {
    await expect(handler({ items: [{ word: 'banana' }] }, lambdaContext())).resolves.toEqual([{ length: 6 }]);
  });
});
