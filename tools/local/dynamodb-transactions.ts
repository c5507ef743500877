import {
  AttributeValue, ConditionalCheckFailedException, DeleteItemCommand, DescribeTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';

type Item = Record<string, AttributeValue>;
interface Expressions {
  ConditionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Item;
}
interface TransactWriteItem {
  Put?: Expressions & { TableName: string; Item: Item };
  Update?: Expressions & { TableName: string; Key: Item; UpdateExpression: string };
  Delete?: Expressions & { TableName: string; Key: Item };
  ConditionCheck?: Expressions & { TableName: string; Key: Item; ConditionExpression: string };
}

/** The X-Amz-Target of the requests {@link TransactWriteItems} answers. */
export const TRANSACT_WRITE_ITEMS_TARGET = 'DynamoDB_20120810.TransactWriteItems';

/** An HTTP response of the DynamoDB API: status and JSON body. */
export interface DynamoDbResponse {
  readonly status: number;
  readonly body: unknown;
}

/**
 * Gives dynalite, which has no transactions, DynamoDB's TransactWriteItems, which handlers use to write several items
 * all or nothing (Lambda handlers of users' apps; the library's own worker uses single-item conditional writes). The items are written one after the other, each with its
 * condition, under a lock that serializes transactions; when one fails, the ones written before it are put back
 * as they were and the call fails with TransactionCanceledException and a cancellation reason per item, as AWS
 * answers (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html).
 * Unlike AWS, a plain write by another client can see the first items of a transaction before its last is written.
 */
export class TransactWriteItems {
  private lock: Promise<unknown> = Promise.resolve();
  private readonly keyNames = new Map<string, string[]>();

  /** @param client a client of the dynalite the transactions write to */
  constructor(private readonly client: DynamoDBClient) {}

  /** Answers a TransactWriteItems request, given its JSON body. */
  async answer(requestBody: string): Promise<DynamoDbResponse> {
    const run = this.lock.then(() => transact(JSON.parse(requestBody).TransactItems ?? [], this.client, (table, item) => this.keyOf(table, item)));
    this.lock = run.catch(() => undefined);
    return run.then(
      () => ({ status: 200, body: {} }),
      (error: { status?: number; body?: unknown }) => ({
        status: error.status ?? 500,
        body: error.body ?? { __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: String(error) },
      }),
    );
  }

  private async keyOf(tableName: string, item: Item): Promise<Item> {
    if (!this.keyNames.has(tableName)) {
      const { Table } = await this.client.send(new DescribeTableCommand({ TableName: tableName }));
      this.keyNames.set(tableName, Table!.KeySchema!.map((k) => k.AttributeName!));
    }
    return Object.fromEntries(this.keyNames.get(tableName)!.map((name) => [name, item[name]]));
  }
}

async function transact(items: TransactWriteItem[], client: DynamoDBClient, keyOf: (table: string, item: Item) => Promise<Item>): Promise<void> {
  if (items.length === 0 || items.length > 100) {
    throw { status: 400, body: { __type: 'com.amazon.coral.validate#ValidationException', message: `TransactItems must have 1 to 100 items (got ${items.length})` } };
  }
  const undo: Array<{ tableName: string; key: Item; before?: Item }> = [];
  for (const [index, item] of items.entries()) {
    const op = item.Put ?? item.Update ?? item.Delete ?? item.ConditionCheck!;
    const key = item.Put ? await keyOf(item.Put.TableName, item.Put.Item) : (op as { Key: Item }).Key;
    const { Item: before } = await client.send(new GetItemCommand({ TableName: op.TableName, Key: key, ConsistentRead: true }));
    const expressions = { ConditionExpression: op.ConditionExpression, ExpressionAttributeNames: op.ExpressionAttributeNames, ExpressionAttributeValues: op.ExpressionAttributeValues };
    try {
      if (item.Put) await client.send(new PutItemCommand({ TableName: op.TableName, Item: item.Put.Item, ...expressions }));
      else if (item.Update) await client.send(new UpdateItemCommand({ TableName: op.TableName, Key: key, UpdateExpression: item.Update.UpdateExpression, ...expressions }));
      else if (item.Delete) await client.send(new DeleteItemCommand({ TableName: op.TableName, Key: key, ...expressions }));
      // A condition check writes the item back as it was, under its condition; the undo below removes a key-only item it made.
      else await client.send(new PutItemCommand({ TableName: op.TableName, Item: before ?? key, ...expressions }));
      undo.push({ tableName: op.TableName, key, before });
    } catch (error) {
      for (const done of undo.reverse()) await restore(client, done);
      if (error instanceof ConditionalCheckFailedException) {
        const reasons = items.map((_, i) => (i === index ? { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' } : { Code: 'None' }));
        throw {
          status: 400,
          body: {
            __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
            message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`,
            CancellationReasons: reasons,
          },
        };
      }
      const { name, message } = error as Error;
      throw { status: 400, body: { __type: `com.amazonaws.dynamodb.v20120810#${name}`, message } };
    }
    if (item.ConditionCheck) await restore(client, undo.pop()!);
  }
}

async function restore(client: DynamoDBClient, { tableName, key, before }: { tableName: string; key: Item; before?: Item }): Promise<void> {
  if (before) await client.send(new PutItemCommand({ TableName: tableName, Item: before }));
  else await client.send(new DeleteItemCommand({ TableName: tableName, Key: key }));
}
