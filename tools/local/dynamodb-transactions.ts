import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import {
  AttributeValue, ConditionalCheckFailedException, DeleteItemCommand, DescribeTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';

const TARGET = 'DynamoDB_20120810.TransactWriteItems';

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

/**
 * Gives dynalite, which has no transactions, DynamoDB's TransactWriteItems, which handlers use to write several items
 * all or nothing (Lambda handlers of users' apps; the library's own worker uses single-item conditional writes). The items are written one after the other, each with its
 * condition, under a lock that serializes transactions; when one fails, the ones written before it are put back
 * as they were and the call fails with TransactionCanceledException and a cancellation reason per item, as AWS
 * answers (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html).
 * Unlike AWS, a plain write by another client can see the first items of a transaction before its last is written.
 */
export function addTransactWriteItems(server: Server, client: () => DynamoDBClient): void {
  const [dynalite] = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.removeAllListeners('request');
  let lock: Promise<unknown> = Promise.resolve();
  const keyNames = new Map<string, string[]>();
  const keyOf = async (tableName: string, item: Item): Promise<Item> => {
    if (!keyNames.has(tableName)) {
      const { Table } = await client().send(new DescribeTableCommand({ TableName: tableName }));
      keyNames.set(tableName, Table!.KeySchema!.map((k) => k.AttributeName!));
    }
    return Object.fromEntries(keyNames.get(tableName)!.map((name) => [name, item[name]]));
  };
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.headers['x-amz-target'] !== TARGET) return dynalite(req, res);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const run = lock.then(() => transact(JSON.parse(Buffer.concat(chunks).toString('utf8')).TransactItems ?? [], client(), keyOf));
      lock = run.catch(() => undefined);
      void run.then(
        () => reply(res, 200, {}),
        (error: { status: number; body: unknown }) => reply(res, error.status ?? 500, error.body ?? { __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: String(error) }),
      );
    });
  });
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/x-amz-json-1.0', 'Content-Length': Buffer.byteLength(text), 'x-amzn-RequestId': String(Date.now()) });
  res.end(text);
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
