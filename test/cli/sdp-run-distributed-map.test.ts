import { main } from '../../tools/cli/sdp';
import { synthesizeDistributedMapFixture } from '../support/distributed-map-fixture-app';
import { bufferedIo } from './buffered-io';

// `sdp run` on a stack with a distributed Map: the map run's progress and its summary in the trace, on stderr.
const assemblyDir = synthesizeDistributedMapFixture();

test('the progress lines of the map run, the trace\'s map run summary, and the Map\'s output on stdout', async () => {
  const { io, printed } = bufferedIo();
  // The Objects machine lists the objects under inputs/: a fresh local S3 has none, so the map run has no items.
  const code = await main(['run', 'Objects', '--assembly', assemblyDir], io);
  expect(code).toBe(0);
  expect(JSON.parse(printed.stdout)).toEqual({
    MapRunArn: expect.stringMatching(/^arn:aws:states:us-east-1:000000000000:mapRun:Objects\/ObjectsMap:/),
    ResultWriterDetails: { Bucket: expect.any(String), Key: expect.stringMatching(/^listed\/[0-9a-f-]{36}\/manifest\.json$/) },
  });
  expect(printed.stderr).toContain('map run ObjectsMap: 0/0 items (100 %), 0 failed');
  expect(printed.stderr).toMatch(/map run ObjectsMap SUCCEEDED: 0\/0 items \(100 %\), 0 failed, 0 items\/s, \d+\.\d s\n/);
  expect(printed.stderr).toContain('map run: 0 items (0 succeeded, 0 failed) in 0 child executions (0 succeeded, 0 failed)');
});

test('--json: the map runs with their item and child execution counts, as DescribeMapRun gives them', async () => {
  const { io, printed } = bufferedIo();
  expect(await main(['run', 'Objects', '--assembly', assemblyDir, '--json'], io)).toBe(0);
  const zero = { total: 0, succeeded: 0, failed: 0, timedOut: 0, aborted: 0, pending: 0, running: 0, resultsWritten: 0 };
  expect(JSON.parse(printed.stdout).mapRuns).toEqual([{
    mapRunArn: expect.stringMatching(/:mapRun:Objects\/ObjectsMap:/), state: 'ObjectsMap', status: 'SUCCEEDED', itemCounts: zero, executionCounts: zero,
    resultWriterDetails: { Bucket: expect.any(String), Key: expect.stringMatching(/^listed\/.+\/manifest\.json$/) },
  }]);
});
