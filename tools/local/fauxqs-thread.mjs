// Runs the fauxqs SNS/SQS emulator on a worker thread of the local run's process.
// fauxqs is an ES module; a worker thread loads it with Node's own loader, so
// CommonJS callers (ts-node, jest) can host it without an ESM toolchain.
import { parentPort, workerData } from 'node:worker_threads';
import { buildApp } from 'fauxqs';

// fauxqs's startFauxqs listens on every interface (0.0.0.0); the local run's endpoint is for this
// machine only, so the app is built and bound here, on the host the parent asks for (loopback).
const app = buildApp({ logger: false });
const address = await app.listen({ port: 0, host: workerData.host });
parentPort.postMessage({ type: 'started', address, bound: app.server.address() });
parentPort.on('message', async (message) => {
  if (message === 'stop') {
    await app.close();
    parentPort.postMessage({ type: 'stopped' });
    parentPort.close();
  }
});
