import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { CreateTableCommand, DynamoDBClient, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { CfnTemplate } from '../assembly/cloud-assembly';
import { IntrinsicResolver, LOCAL_REGION } from '../assembly/intrinsics';
import type { MeteringProxy, RequestMeter } from './request-meter';
import { TRANSACT_WRITE_ITEMS_TARGET, TransactWriteItems } from './dynamodb-transactions';
import { LOCAL_HOST } from './local-sns-sqs';

/** What the dynalite thread (dynalite-thread.mjs) posts. */
type DynaliteThreadMessage =
  | { type: 'started'; port: number }
  | { type: 'error'; message: string }
  | { type: 'request'; id: number; target: string; body: string }
  | { type: 'stopped' };

/**
 * An embedded DynamoDB (dynalite, in memory, with TransactWriteItems added) holding a template's tables. dynalite
 * runs on a worker thread of this process (dynalite-thread.mjs), as fauxqs does, so that the writes of a fan-out's
 * handlers are answered on another core than the one running the handlers; TransactWriteItems is answered here.
 */
export class LocalDynamoDb {
  private constructor(
    private readonly worker: Worker,
    /** The endpoint SDK clients point at, e.g. via AWS_ENDPOINT_URL_DYNAMODB. */
    readonly endpoint: string,
    readonly client: DynamoDBClient,
    /** With a meter: the proxy that counts requests, and the client that bypasses it. */
    private readonly metering?: { proxy: MeteringProxy; directClient: DynamoDBClient },
  ) {}

  /** Starts dynalite on a free loopback port; with a meter, behind a proxy that counts the requests (`sdp cost`). */
  static async start(options: { meter?: RequestMeter } = {}): Promise<LocalDynamoDb> {
    const worker = new Worker(path.join(__dirname, 'dynalite-thread.mjs'), { workerData: { host: LOCAL_HOST, parentTargets: [TRANSACT_WRITE_ITEMS_TARGET] } });
    let port: number;
    let proxy: MeteringProxy | undefined;
    try {
      port = await new Promise<number>((resolve, reject) => {
        worker.once('error', reject);
        worker.once('message', (message: DynaliteThreadMessage) => {
          if (message.type === 'started') resolve(message.port);
          else reject(new Error(`dynalite did not start: ${message.type === 'error' ? message.message : message.type}`));
        });
      });
      proxy = await options.meter?.proxy('dynamodb', `http://${LOCAL_HOST}:${port}`);
    } catch (error) {
      // A thread that did not start (or whose meter did not) would keep the process alive.
      await worker.terminate();
      throw error;
    }
    const direct = `http://${LOCAL_HOST}:${port}`;
    const clientOf = (endpoint: string) => new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const client = clientOf(proxy?.endpoint ?? direct);
    // A transaction's own reads and writes are not the caller's requests: they bypass the meter.
    const transactionClient = proxy ? clientOf(direct) : client;
    const transactions = new TransactWriteItems(transactionClient);
    worker.on('message', (message: DynaliteThreadMessage) => {
      if (message.type !== 'request') return;
      void transactions.answer(message.body).then((response) => worker.postMessage({ type: 'response', id: message.id, ...response }));
    });
    return new LocalDynamoDb(worker, proxy?.endpoint ?? direct, client, proxy && { proxy, directClient: transactionClient });
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
    const stopped = new Promise((resolve) => this.worker.on('message', (message: DynaliteThreadMessage) => message.type === 'stopped' && resolve(undefined)));
    this.worker.postMessage({ type: 'stop' });
    await stopped;
    await this.worker.terminate();
  }
}
