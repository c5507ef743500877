import { itemFile, itemReaderOf, itemsPathOf, resizedInput, withValueAt } from '../../tools/cost/sample-input';

// Where a sample job's items are, so that sdp cost can count them and make a sample of any size.

test('the items are at the first Map\'s ItemsPath, else at items, else the input\'s only array', () => {
  const definition = { States: { Split: { Type: 'Pass' }, MapItems: { Type: 'Map', ItemsPath: '$.job.data' } } };
  expect(itemsPathOf(definition, { job: { data: [1, 2] }, items: [3] })).toBe('$.job.data');
  expect(itemsPathOf(definition, { items: [3] })).toBe('$.items');
  expect(itemsPathOf({}, { words: ['a'], name: 'x' })).toBe('$.words');
  expect(itemsPathOf({}, { a: [1], b: [2] })).toBeUndefined();
});

test('a sample is made any size by repeating the items in order, the rest of the input kept', () => {
  expect(resizedInput({ id: 7, job: { data: ['a', 'b', 'c'] } }, '$.job.data', 5)).toEqual({ id: 7, job: { data: ['a', 'b', 'c', 'a', 'b'] } });
  expect(resizedInput({ items: ['a', 'b', 'c'] }, '$.items', 2)).toEqual({ items: ['a', 'b'] });
  expect(() => resizedInput({ items: [] }, '$.items', 2)).toThrow('the input has no items at $.items to make a sample of');
  expect(withValueAt(undefined, '$.job.itemsKey', 'k')).toEqual({ job: { itemsKey: 'k' } });
});

test('an items file: a JSON array, JSON Lines or CSV (its header kept), counted and resized', () => {
  expect(itemFile('jobs/a.json', '[{"w":"a"},{"w":"b"}]', 3)).toEqual({ key: 'jobs/a.json', body: '[{"w":"a"},{"w":"b"},{"w":"a"}]', items: 3 });
  expect(itemFile('jobs/a.jsonl', '{"w":"a"}\n{"w":"b"}\n')).toEqual({ key: 'jobs/a.jsonl', body: '{"w":"a"}\n{"w":"b"}\n', items: 2 });
  expect(itemFile('jobs/a.csv', 'word\napple\nfig\n', 1)).toEqual({ key: 'jobs/a.csv', body: 'word\napple\n', items: 1 });
});

test('the reader of a Distributed Map names the bucket and where the key comes from in the input', () => {
  const definition = { States: { Items: { Type: 'Map', ItemReader: { Resource: 'arn:aws:states:::s3:getObject', Parameters: { 'Bucket': 'itemsbucket1a2b', 'Key.$': '$.itemsKey' } } } } };
  expect(itemReaderOf(definition)).toEqual({ bucket: 'itemsbucket1a2b', keyPath: '$.itemsKey', listing: false });
  const listing = { States: { Items: { Type: 'Map', ItemReader: { Resource: 'arn:aws:states:::s3:listObjectsV2', Parameters: { 'Bucket': 'photos', 'Prefix.$': '$.itemsPrefix' } } } } };
  expect(itemReaderOf(listing)).toEqual({ bucket: 'photos', keyPath: '$.itemsPrefix', listing: true });
  expect(itemReaderOf({ States: { Items: { Type: 'Map', ItemsPath: '$.data' } } })).toBeUndefined();
});
