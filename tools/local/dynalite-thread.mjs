// Runs dynalite, the local DynamoDB, on a worker thread of the local run's process: its request handling (JSON,
// validation, LevelDB in memory) then runs beside the handlers and their SDK clients instead of taking turns with
// them on the main thread, which a fan-out's writes kept busy. Requests for the operations the parent adds (those
// whose X-Amz-Target is in workerData.parentTargets, e.g. TransactWriteItems) go to the parent thread, which answers.
import { parentPort, workerData } from 'node:worker_threads';
import dynalite from 'dynalite';

const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
const [handleInDynalite] = server.listeners('request');
server.removeAllListeners('request');
const waiting = new Map();
let nextRequestId = 0;
server.on('request', (req, res) => {
  if (!workerData.parentTargets.includes(req.headers['x-amz-target'])) return handleInDynalite(req, res);
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const id = nextRequestId++;
    waiting.set(id, res);
    parentPort.postMessage({ type: 'request', id, target: req.headers['x-amz-target'], body: Buffer.concat(chunks).toString('utf8') });
  });
});

parentPort.on('message', (message) => {
  if (message.type === 'response') {
    const res = waiting.get(message.id);
    waiting.delete(message.id);
    const text = JSON.stringify(message.body);
    res.writeHead(message.status, { 'Content-Type': 'application/x-amz-json-1.0', 'Content-Length': Buffer.byteLength(text), 'x-amzn-RequestId': String(Date.now()) });
    res.end(text);
  } else if (message.type === 'stop') {
    server.close(() => {
      parentPort.postMessage({ type: 'stopped' });
      parentPort.close();
    });
  }
});

server.once('error', (error) => parentPort.postMessage({ type: 'error', message: error.message }));
server.listen(0, workerData.host, () => parentPort.postMessage({ type: 'started', port: server.address().port }));
