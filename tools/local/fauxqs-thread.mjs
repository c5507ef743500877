// Runs the fauxqs SNS/SQS emulator on a worker thread of the local run's process.
// fauxqs is an ES module; a worker thread loads it with Node's own loader, so
// CommonJS callers (ts-node, jest) can host it without an ESM toolchain.
import { parentPort } from 'node:worker_threads';
import { startFauxqs } from 'fauxqs';

const server = await startFauxqs({ port: 0, logger: false });
parentPort.postMessage({ type: 'started', address: server.address });
parentPort.on('message', async (message) => {
  if (message === 'stop') {
    await server.stop();
    parentPort.postMessage({ type: 'stopped' });
    parentPort.close();
  }
});
