import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiRequest, ApiResponse, LocalRestApi } from './local-rest-api';

/** One line of `sdp serve`'s request log. */
export interface RequestLogEntry {
  readonly method: string;
  /** The path as requested, without the query string. */
  readonly path: string;
  readonly status: number;
  /** The name of the execution the request started or described (the last `:` part of its ARN). */
  readonly executionName?: string;
  /** Time from the request's arrival to the answer, in milliseconds. */
  readonly ms: number;
  /** Why the request failed, when API Gateway or sdp serve says why (see `ApiResponse.error`). */
  readonly error?: string;
}

export interface RestApiServerOptions {
  readonly api: LocalRestApi;
  /** The port on 127.0.0.1; 0 takes any free port. */
  readonly port: number;
  /** Called once per answered request. */
  readonly onRequest?: (entry: RequestLogEntry) => void;
}

export interface RestApiServer {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  /** Stops listening and ends open (keep-alive) connections, so nothing is left listening. */
  close(): Promise<void>;
}

/** Serves `api` over HTTP on 127.0.0.1 only: the local API is for this machine, never the network. */
export async function startRestApiServer(options: RestApiServerOptions): Promise<RestApiServer> {
  const server = http.createServer((request, response) => {
    const started = performance.now();
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      void answer(options, request, Buffer.concat(chunks).toString('utf8')).then(({ apiRequest, apiResponse }) => {
        try {
          response.writeHead(apiResponse.statusCode, apiResponse.headers).end(apiResponse.body);
        } catch (error) {
          // A header Node refuses (e.g. a non-Latin-1 value a function returned): answered, never a crash of the server.
          apiResponse = { statusCode: 502, headers: {}, body: JSON.stringify({ message: 'Internal server error' }), error: (error as Error).message };
          if (!response.headersSent) response.writeHead(502, { 'Content-Type': 'application/json' });
          response.end(apiResponse.body);
        }
        const executionName = apiResponse.executionArn?.split(':').pop();
        options.onRequest?.({
          method: apiRequest.method, path: apiRequest.path, status: apiResponse.statusCode, ms: Math.round(performance.now() - started),
          ...executionName === undefined ? {} : { executionName },
          ...apiResponse.error === undefined ? {} : { error: apiResponse.error },
        });
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () => new Promise<void>((resolve, reject) => {
      server.close((error) => (error ? reject(error) : resolve()));
      server.closeAllConnections();
    }),
  };
}

async function answer(options: RestApiServerOptions, request: http.IncomingMessage, body: string) {
  // Split by hand, not with URL: a path starting with // would be read as a host.
  const [pathname, search = ''] = (request.url ?? '/').split(/\?(.*)/s, 2);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  const apiRequest: ApiRequest = {
    method: request.method ?? 'GET',
    path: pathname,
    query: Object.fromEntries(new URLSearchParams(search)), // the last value of a repeated parameter, as queryStringParameters has it
    headers,
    body,
    sourceIp: request.socket.remoteAddress,
  };
  // handle answers every failure of an integration itself; what escapes it is a bug of sdp serve, still answered.
  const apiResponse: ApiResponse = await options.api.handle(apiRequest).catch((error: Error) => ({
    statusCode: 500, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ message: 'Internal server error' }), error: error.message,
  }));
  return { apiRequest, apiResponse };
}
