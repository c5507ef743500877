import { ChunkValidationError, parseChunkMessage } from '../../handlers';

test.each([
  ['{', 'body is not JSON (got "{")'],
  [JSON.stringify({ chunkIndex: 0, items: [] }), 'jobId must be a string (got undefined)'],
  [JSON.stringify({ jobId: 'j', chunkIndex: -1, items: [] }), 'chunkIndex must be a non-negative integer (got -1)'],
  [JSON.stringify({ jobId: 'j', chunkIndex: 1.5, items: [] }), 'chunkIndex must be a non-negative integer (got 1.5)'],
  [JSON.stringify({ jobId: 'j', chunkIndex: 0, items: {} }), 'items must be an array (got {})'],
])('parseChunkMessage rejects %s with ChunkValidationError', (body, message) => {
  expect(() => parseChunkMessage(body)).toThrow(ChunkValidationError);
  expect(() => parseChunkMessage(body)).toThrow(message);
});

test('parseChunkMessage returns the chunk, its items as they are', () => {
  const body = JSON.stringify({ jobId: 'job-1', chunkIndex: 3, items: [1, 'two', { three: 3 }] });
  expect(parseChunkMessage(body)).toEqual({ jobId: 'job-1', chunkIndex: 3, items: [1, 'two', { three: 3 }] });
});

test('parseChunkMessage checks each item with checkItem, which may convert it and whose error keeps its index', () => {
  const body = JSON.stringify({ jobId: 'job-1', chunkIndex: 0, items: ['1', '2', 'x'] });
  const toNumber = (item: unknown, index: number): number => {
    const n = Number(item);
    if (Number.isNaN(n)) throw new ChunkValidationError(`items[${index}] must be a number (got ${JSON.stringify(item)})`);
    return n;
  };
  expect(() => parseChunkMessage(body, toNumber)).toThrow('items[2] must be a number (got "x")');
  expect(parseChunkMessage(JSON.stringify({ jobId: 'j', chunkIndex: 0, items: ['1', '2'] }), toNumber).items).toEqual([1, 2]);
});
