import * as net from 'node:net';
import * as os from 'node:os';
import { LocalDynamoDb } from '../../tools/local/local-dynamodb';
import { LOCAL_HOST, LocalSnsSqs } from '../../tools/local/local-sns-sqs';

// The local run's engines serve this machine's run only: their endpoints listen on the loopback
// interface, not on every interface (fauxqs's own startFauxqs binds 0.0.0.0).

/** An IPv4 address of this machine that is not loopback, if it has one. */
const externalAddress = Object.values(os.networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal)?.address;

/** Whether a TCP connection to host:port is accepted. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

test('fauxqs (SNS, SQS, S3) is bound to 127.0.0.1 and its endpoint names it', async () => {
  const snsSqs = await LocalSnsSqs.start();
  try {
    const endpoint = new URL(snsSqs.endpoint);
    expect(endpoint.hostname).toBe(LOCAL_HOST);
    expect(snsSqs.boundAddress).toMatchObject({ address: '127.0.0.1', family: 'IPv4', port: Number(endpoint.port) });
    expect(await accepts('127.0.0.1', Number(endpoint.port))).toBe(true);
    if (externalAddress) expect(await accepts(externalAddress, Number(endpoint.port))).toBe(false);
  } finally {
    await snsSqs.stop();
  }
});

test('dynalite (DynamoDB) is bound to 127.0.0.1 and its endpoint names it', async () => {
  const dynamoDb = await LocalDynamoDb.start();
  try {
    const endpoint = new URL(dynamoDb.endpoint);
    expect(endpoint.hostname).toBe('127.0.0.1');
    expect(await accepts('127.0.0.1', Number(endpoint.port))).toBe(true);
    if (externalAddress) expect(await accepts(externalAddress, Number(endpoint.port))).toBe(false);
  } finally {
    await dynamoDb.stop();
  }
});
