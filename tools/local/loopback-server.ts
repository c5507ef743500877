import type * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/** An HTTP server of the local run listening on 127.0.0.1. */
export interface LoopbackServer {
  /** `http://127.0.0.1:<port>`: what SDK clients are pointed at. */
  readonly endpoint: string;
  /** Closes the server and every connection still open (SDK clients keep theirs alive). */
  close(): Promise<void>;
}

/** Listens with `server` on a free port of 127.0.0.1 only: the local endpoints are for this machine, never the network. */
export async function listenOnLoopback(server: http.Server): Promise<LoopbackServer> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
