import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/** An HTTP server of the local run listening on 127.0.0.1. */
export interface LoopbackServer {
  /** `http://127.0.0.1:<port>`: what SDK clients are pointed at. */
  readonly endpoint: string;
  /** Closes the server and every connection still open (SDK clients keep theirs alive). */
  close(): Promise<void>;
}

/**
 * Listens with `server` on 127.0.0.1 only (the local endpoints are for this machine, never the network), on `port`, or a
 * free port when it is 0.
 */
export async function listenOnLoopback(server: http.Server, port = 0): Promise<LoopbackServer> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const address = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** An answer of a local API endpoint: status, headers besides the content type and request id, body. */
export interface ApiAnswer {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body: string;
}

/**
 * Serves an AWS API on a free port of 127.0.0.1 as the SDK calls it: each request's body read whole, then answered by
 * `answer`; an answer that throws is `failed(error)`. Every response has `contentType` and an `x-amzn-RequestId`.
 */
export function serveApiOnLoopback(
  contentType: string,
  answer: (request: http.IncomingMessage, body: string) => Promise<ApiAnswer>,
  failed: (error: Error) => ApiAnswer,
): Promise<LoopbackServer> {
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      void answer(request, Buffer.concat(chunks).toString('utf8'))
        .catch(failed)
        .then(({ status, headers, body }) => {
          response.writeHead(status, { 'Content-Type': contentType, 'x-amzn-RequestId': randomUUID(), ...headers });
          response.end(body);
        });
    });
  });
  return listenOnLoopback(server);
}
