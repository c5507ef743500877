import { Readable } from 'node:stream';
import { MapRunResults } from 'serverless-distributed-processing/handlers';
import { sumMapRunLengths } from '../../examples/handlers/sum-map-run-lengths';
import type { WordOutcome } from '../../examples/handlers/word-length-batch';

/** A map run's files in a stand-in S3: its manifest, two SUCCEEDED files and one FAILED file, as JSON Lines. */
function mapRun(): MapRunResults<WordOutcome> {
  const lines = (entries: unknown[]) => entries.map((e) => JSON.stringify(e)).join('\n');
  const objects: Record<string, string> = {
    'run/manifest.json': JSON.stringify({
      DestinationBucket: 'results',
      MapRunArn: 'arn:run',
      ResultFiles: { SUCCEEDED: [{ Key: 'run/SUCCEEDED_0.json', Size: 1 }, { Key: 'run/SUCCEEDED_1.json', Size: 1 }], FAILED: [{ Key: 'run/FAILED_0.json', Size: 1 }], PENDING: [] },
    }),
    'run/SUCCEEDED_0.json': lines([{ length: 5 }, { error: 'item.word must be a string (got undefined)' }, { length: 3 }]),
    'run/SUCCEEDED_1.json': lines([{ length: 10 }]),
    // A child that failed after its retries: its batch of three items is lost to the run, within the tolerated failures.
    'run/FAILED_0.json': lines([{ Error: 'Lambda.ServiceException', Cause: '...', Input: JSON.stringify({ Items: [{ word: 'a' }, { word: 'b' }, { word: 'c' }] }) }]),
  };
  const client = { send: async (command: { input: { Key: string } }) => ({ Body: Readable.from([objects[command.input.Key]]) }) };
  return new MapRunResults<WordOutcome>({ MapRunArn: 'arn:run', ResultWriterDetails: { Bucket: 'results', Key: 'run/manifest.json' } }, { client, pageSize: 2 });
}

describe('sumMapRunLengths: the distributed example\'s reduce step', () => {
  test('sums the lengths over every page and counts rejected items and the items of failed children as failed', async () => {
    // 3 measured (5 + 3 + 10), 1 rejected by the map step, 3 in a failed child: 7 items, all accounted for.
    await expect(sumMapRunLengths(mapRun())).resolves.toEqual({ items: 7, measured: 3, failed: 4, totalLength: 18 });
  });
});
