import { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { CfnTemplate } from '../assembly/cloud-assembly';
import { IntrinsicResolver, LOCAL_REGION } from '../assembly/intrinsics';
import { addTransactWriteItems } from './dynamodb-transactions';
import type { MeteringProxy, RequestMeter } from './request-meter';

// dynalite ships no type declarations.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite: (options: { createTableMs?: number; deleteTableMs?: number; updateTableMs?: number }) => import('node:http').Server = require('dynalite');

/** An embedded DynamoDB (dynalite, in memory, with TransactWriteItems added) holding a template's tables. */
export class LocalDynamoDb {
  private constructor(
    private readonly server: import('node:http').Server,
    /** The endpoint SDK clients point at, e.g. via AWS_ENDPOINT_URL_DYNAMODB. */
    readonly endpoint: string,
    readonly client: DynamoDBClient,
    /** With a meter: the proxy that counts requests, and the client that bypasses it. */
    private readonly metering?: { proxy: MeteringProxy; directClient: DynamoDBClient },
  ) {}

  /** Starts dynalite on a free loopback port; with a meter, behind a proxy that counts the requests (`sdp cost`). */
  static async start(options: { meter?: RequestMeter } = {}): Promise<LocalDynamoDb> {
    const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const direct = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const proxy = await options.meter?.proxy('dynamodb', direct);
    const clientOf = (endpoint: string) => new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const client = clientOf(proxy?.endpoint ?? direct);
    // A transaction's own reads and writes are not the caller's requests: they bypass the meter.
    const transactionClient = proxy ? clientOf(direct) : client;
    addTransactWriteItems(server, () => transactionClient);
    return new LocalDynamoDb(server, proxy?.endpoint ?? direct, client, proxy && { proxy, directClient: transactionClient });
  }

  /** Creates every DynamoDB table of the template, under its local physical name. */
  async createTables(template: CfnTemplate): Promise<string[]> {
    const resolver = new IntrinsicResolver(template);
    const created: string[] = [];
    for (const [logicalId, resource] of Object.entries(template.Resources)) {
      if (resource.Type !== 'AWS::DynamoDB::Table' && resource.Type !== 'AWS::DynamoDB::GlobalTable') continue;
      const props = resource.Properties ?? {};
      const tableName = resolver.physicalName(logicalId);
      await this.client.send(new CreateTableCommand({
        TableName: tableName,
        KeySchema: props.KeySchema,
        AttributeDefinitions: props.AttributeDefinitions,
        GlobalSecondaryIndexes: props.GlobalSecondaryIndexes?.map(({ IndexName, KeySchema, Projection }: any) => ({ IndexName, KeySchema, Projection })),
        // Capacity does not matter locally; dynalite wants a billing mode it knows.
        BillingMode: 'PAY_PER_REQUEST',
      }));
      await waitUntilTableExists({ client: this.client, maxWaitTime: 30, minDelay: 1, maxDelay: 1 }, { TableName: tableName });
      created.push(tableName);
    }
    return created;
  }

  async stop(): Promise<void> {
    this.client.destroy();
    this.metering?.directClient.destroy();
    await this.metering?.proxy.close();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
