import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { main } from '../../tools/cli/sdp';
import { bufferedIo } from './buffered-io';

// The AWS commands against an endpoint that accepts connections and never answers: each attempt
// is abandoned at the request timeout, the SDK tries 3 times, and the command fails (exit 2)
// naming the call and the timeout, instead of waiting as long as the socket stays open.

const STATE_MACHINE = 'arn:aws:states:eu-west-1:123456789012:stateMachine:WordLengthWorkflow1A2B-xyz';
const EXECUTION = 'arn:aws:states:eu-west-1:123456789012:execution:WordLengthWorkflow1A2B-xyz:job-42';

let server: net.Server;
const sockets = new Set<net.Socket>();
const connections: number[] = [];
let dir: string;
const savedEnv = { ...process.env };

beforeAll(async () => {
  server = net.createServer((socket) => {
    connections.push(Date.now());
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  // The SDK's own settings, so that the real client (sdp's createSfnClient) goes to the silent server.
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_SFN: `http://127.0.0.1:${port}`,
    AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'eu-west-1',
  });
  delete process.env.AWS_PROFILE;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdp-timeouts-'));
  fs.writeFileSync(path.join(dir, 'input.json'), '{}');
});

afterAll(async () => {
  process.env = savedEnv;
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => server.close(resolve));
  fs.rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => connections.splice(0));

async function sdp(...argv: string[]) {
  const { io, printed } = bufferedIo({ cwd: dir, env: process.env, nodeVersion: process.versions.node, hasPackage: () => true });
  const code = await main(argv, io);
  return { code, ...printed };
}

test.each([
  ['status', 'DescribeExecution', [EXECUTION]],
  ['trace', 'GetExecutionHistory', [EXECUTION]],
  ['start', 'StartExecution', [STATE_MACHINE, '--input', 'input.json']],
  ['start', 'ListStateMachines', ['WordLength', '--input', 'input.json']],
])('%s fails naming %s and the request timeout', async (command, call, args) => {
  const result = await sdp(command, ...args, '--request-timeout', '0.2');
  expect(result).toEqual({
    code: 2,
    stdout: '',
    stderr: `error: ${call} timed out: no response within the request timeout of 0.2 s (3 attempts); --request-timeout <s> sets it. `
      + 'Check the network, and the endpoint (AWS_ENDPOINT_URL*) if one is set\n',
  });
  expect(connections).toHaveLength(3);
});

test('the timeouts are checked with the other arguments, before any call', async () => {
  for (const value of ['0', '-1', 'soon', '']) {
    const result = await sdp('status', EXECUTION, `--connect-timeout=${value}`);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`--connect-timeout must be a positive number of seconds (got '${value}')\n\nusage: sdp status`);
  }
  expect(connections).toHaveLength(0);
});

test('a connection that is never established is reported with the connect timeout', async () => {
  // The SDK's HTTP handler's error when connecting takes longer than connectionTimeout (no endpoint here
  // lets a test wait for a connection that never completes: the sandbox's network accepts every address).
  const error = Object.assign(new Error('@smithy/node-http-handler - the request socket did not establish a connection with the server '
    + 'within the configured timeout of 5000 ms.'), { name: 'TimeoutError', $metadata: { attempts: 3 } });
  const { io, printed } = bufferedIo();
  const code = await main(['status', EXECUTION], io, () => ({ send: () => Promise.reject(error) }) as unknown as SFNClient);
  expect({ code, ...printed }).toEqual({
    code: 2,
    stdout: '',
    stderr: 'error: DescribeExecution timed out: no connection within the connect timeout of 5 s (3 attempts); --connect-timeout <s> sets it. '
      + 'Check the network, and the endpoint (AWS_ENDPOINT_URL*) if one is set\n',
  });
});
