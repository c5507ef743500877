import { handler, wordLength, WordValidationError } from '../../examples/handlers/word-length';
import seedInput from '../../examples/inputs/word-length.json';
import malformedInput from '../fixtures/malformed-input.json';
import { lambdaContext } from '../support/lambda-context';

describe('wordLength', () => {
  test('each seed word maps to its length', () => {
    expect(seedInput.data.map((item) => [item.word, wordLength(item).length])).toEqual([
      ['apple', 5],
      ['banana', 6],
      ['cherry', 6],
      ['date', 4],
      ['elderberry', 10],
      ['fig', 3],
      ['grape', 5],
    ]);
  });

  test('an empty word has length 0', () => {
    expect(wordLength({ word: '' })).toEqual({ length: 0 });
  });

  test('length counts UTF-16 code units, as documented', () => {
    expect(wordLength({ word: '😀' })).toEqual({ length: 2 });
  });

  test('fields other than word are ignored', () => {
    expect(wordLength({ word: 'fig', note: 'extra' })).toEqual({ length: 3 });
  });

  test('the malformed fixture fails on its misspelt item only', () => {
    const [good, typo] = malformedInput.data;
    expect(wordLength(good)).toEqual({ length: 5 });
    expect(() => wordLength(typo)).toThrow(new WordValidationError('item.word must be a string (got undefined)'));
  });
});

describe('handler', () => {
  const context = lambdaContext({ functionName: 'word-length' });

  test('returns the length of the item it is given', async () => {
    await expect(handler({ word: 'banana' }, context)).resolves.toEqual({ length: 6 });
  });

  test.each<[string, unknown, string]>([
    ['null', null, 'item must be an object like {"word":"apple"} (got null)'],
    ['an array', [{ word: 'apple' }], 'item must be an object like {"word":"apple"} (got [{"word":"apple"}])'],
    ['a number', 5, 'item must be an object like {"word":"apple"} (got 5)'],
    ['a string', 'apple', 'item must be an object like {"word":"apple"} (got "apple")'],
    ['an object without word', {}, 'item.word must be a string (got undefined)'],
    ['a numeric word', { word: 3 }, 'item.word must be a string (got 3)'],
    ['a null word', { word: null }, 'item.word must be a string (got null)'],
  ])('%s throws WordValidationError naming what was wrong', async (_, item, message) => {
    const error = await handler(item, context).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(WordValidationError);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: 'WordValidationError', message });
    // The pure function rejects it the same way.
    expect(() => wordLength(item)).toThrow(message);
  });
});
