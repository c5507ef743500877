import { handler, MappedResultsValidationError, sumLengths } from '../../lambdas/sum-lengths';

test('the seed lengths sum to 39', () => {
  expect(sumLengths([5, 6, 6, 4, 10, 3, 5].map((length) => ({ length })))).toEqual({ totalLength: 39 });
});

test('an empty list sums to 0', async () => {
  await expect(handler([])).resolves.toEqual({ totalLength: 0 });
});

test.each([
  [{ mappedResults: [] }, 'mapped results must be an array (got {"mappedResults":[]})'],
  [[{ length: 1 }, {}], 'mapped result [1].length must be a non-negative integer (got {})'],
  [[{ length: -1 }], 'mapped result [0].length must be a non-negative integer (got {"length":-1})'],
  [[{ length: 1.5 }], 'mapped result [0].length must be a non-negative integer (got {"length":1.5})'],
  [[{ length: '5' }], 'mapped result [0].length must be a non-negative integer (got {"length":"5"})'],
  [[null], 'mapped result [0].length must be a non-negative integer (got null)'],
])('malformed results %j throw MappedResultsValidationError naming the problem', async (results, message) => {
  await expect(handler(results)).rejects.toThrow(MappedResultsValidationError);
  await expect(handler(results)).rejects.toMatchObject({ name: 'MappedResultsValidationError', message });
});
