import { handler, wordLength, WordValidationError } from '../../lambdas/word-length';
import seedInput from '../../bin/inputs/word-length.json';

test('each seed word maps to its length', () => {
  expect(seedInput.data.map(wordLength)).toEqual([5, 6, 6, 4, 10, 3, 5].map((length) => ({ length })));
});

test('an empty word has length 0', () => {
  expect(wordLength({ word: '' })).toEqual({ length: 0 });
});

test('the handler returns the mapped item', async () => {
  await expect(handler({ word: 'apple' })).resolves.toEqual({ length: 5 });
});

test.each([
  [null, 'item must be an object like {"word":"apple"} (got null)'],
  [['apple'], 'item must be an object like {"word":"apple"} (got ["apple"])'],
  [5, 'item must be an object like {"word":"apple"} (got 5)'],
  ['apple', 'item must be an object like {"word":"apple"} (got "apple")'],
  [{}, 'item.word must be a string (got undefined)'],
  [{ word: 3 }, 'item.word must be a string (got 3)'],
  [{ word: null }, 'item.word must be a string (got null)'],
])('a malformed item %j throws WordValidationError naming the problem', async (item, message) => {
  await expect(handler(item)).rejects.toThrow(WordValidationError);
  await expect(handler(item)).rejects.toMatchObject({ name: 'WordValidationError', message });
});
