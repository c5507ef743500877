import type * as http from 'node:http';
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
