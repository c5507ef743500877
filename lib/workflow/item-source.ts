import { Token, Tokenization } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { isJsonata, jsonata, referencePathExpression } from '../core/jsonata';
import { isReferencePath } from '../core/validation';

/** Where a {@link MapReduceWorkflow} in distributed mode reads a file of items from. */
export interface ItemFileOptions {
  /**
   * Key of the file: a literal key, or a path into the execution input
   * (`sfn.JsonPath.stringAt('$.job.key')`) so one state machine runs a job per file. In a JSONata definition
   * the path, which must then be a reference path, is read as the JSONata expression `$states.input.job.key`.
   * @default sfn.JsonPath.stringAt('$.itemsKey') — each execution names its file as `{ "itemsKey": "jobs/123.json" }`
   */
  readonly key?: string;
  /**
   * Prefix every key taken from the execution input starts with. The state machine may read only
   * objects under it; a key outside it fails the map run with an access error.
   * @default - any object of the bucket may be read when the key comes from the input
   */
  readonly keyPrefix?: string;
}

/** Where a {@link MapReduceWorkflow} in distributed mode reads a CSV file of items from. */
export interface CsvFileOptions extends ItemFileOptions {
  /**
   * Column names, when the file has no header row.
   * @default - the first row holds the column names
   */
  readonly headers?: string[];
  /**
   * Field delimiter.
   * @default sfn.CsvDelimiter.COMMA
   */
  readonly delimiter?: sfn.CsvDelimiter;
}

/** Which objects of a bucket a {@link MapReduceWorkflow} in distributed mode maps over. */
export interface ObjectListingOptions {
  /**
   * Prefix of the objects: a literal prefix, or a path into the execution input (in a JSONata definition, a
   * reference path, read as `$states.input...`).
   * @default sfn.JsonPath.stringAt('$.itemsPrefix') — each execution names its objects as `{ "itemsPrefix": "photos/2026-11-30/" }`
   */
  readonly prefix?: string;
  /**
   * Prefix every prefix taken from the execution input starts with. The state machine may list,
   * and the map function read, only objects under it.
   * @default - any object of the bucket when the prefix comes from the input
   */
  readonly keyPrefix?: string;
}

/** The input fields an item source reads its key or prefix from by default. */
export const DEFAULT_ITEMS_KEY_PATH = '$.itemsKey';
export const DEFAULT_ITEMS_PREFIX_PATH = '$.itemsPrefix';

/**
 * The items of a distributed map, in S3: a JSON array, JSON Lines or CSV file, or the objects under a prefix.
 *
 * The key (or prefix) comes from the execution input by default, so one state machine runs many jobs;
 * the state machine gets read access to exactly what the source names (one key, a key prefix, or the bucket).
 */
export abstract class ItemSource {
  /** A file holding one JSON array of items. */
  static jsonArray(bucket: s3.IBucket, options: ItemFileOptions = {}): ItemSource {
    return new ItemFile(bucket, 'JSON array file', options, (key) => new sfn.S3JsonItemReader({ bucket, key }));
  }

  /** A file holding one JSON item per line. */
  static jsonLines(bucket: s3.IBucket, options: ItemFileOptions = {}): ItemSource {
    return new ItemFile(bucket, 'JSON Lines file', options, (key) => new sfn.S3JsonLItemReader({ bucket, key }));
  }

  /** A CSV file; each row becomes an object keyed by the column names (values are strings). */
  static csv(bucket: s3.IBucket, options: CsvFileOptions = {}): ItemSource {
    return new ItemFile(bucket, 'CSV file', options, (key) => new sfn.S3CsvItemReader({
      bucket,
      key,
      csvHeaders: options.headers ? sfn.CsvHeaders.use(options.headers) : sfn.CsvHeaders.useFirstRow(),
      csvDelimiter: options.delimiter,
    }));
  }

  /**
   * The objects under a prefix; each item is the object's description as ListObjectsV2 gives it
   * (`{ Key, Size, Etag, LastModified, StorageClass }`), and the map function is allowed to read the objects.
   */
  static objects(bucket: s3.IBucket, options: ObjectListingOptions = {}): ItemSource {
    return new ObjectListing(bucket, options);
  }

  protected constructor(
    /** The bucket the items are in. */
    readonly bucket: s3.IBucket,
    /** What the source is, for messages and documentation. */
    readonly description: string,
    /** The prefix every object read starts with, when known at synth. */
    readonly scopePrefix: string | undefined,
  ) {}

  /** What is wrong with the source's options, for the workflow's validation to report; undefined when nothing is. */
  abstract readonly problem: string | undefined;

  /**
   * What keeps the source from a JSONata definition (a path into the input that JSONata cannot say), for the
   * workflow's validation to report; undefined when nothing does.
   */
  abstract readonly jsonataProblem: string | undefined;

  /**
   * The ItemReader of the Distributed Map, with the state machine's read permissions scoped to this source; a key
   * or prefix from the input is written in `queryLanguage` (JSONPath by default).
   */
  abstract itemReader(queryLanguage?: sfn.QueryLanguage): sfn.IItemReader;

  /** Whether the map function is granted read access to what its items name (the objects of a listing). */
  abstract readonly grantsItemAccess: boolean;

  /** The key pattern (ending in `*`) of the objects read at run time, when not one fixed key: what cdk-nag reports as a wildcard. */
  abstract readonly wildcardKeys?: string;

  /** Lets the map function read what its items name (the objects of a listing); nothing for a file of items. */
  abstract grantItemAccess(mapFunction: iam.IGrantable): iam.Grant | undefined;

  /** The ARN pattern of the objects this source may read: one key, a prefix, or the whole bucket. */
  protected objectsArn(literal: string | undefined): string {
    if (literal !== undefined) return this.bucket.arnForObjects(literal);
    return this.bucket.arnForObjects(`${this.scopePrefix ?? ''}*`);
  }
}

/** A path into the state input (`sfn.JsonPath.stringAt('$.x')`), as opposed to a literal key. */
function isInputPath(value: string): boolean {
  return sfn.JsonPath.isEncodedJsonPath(value);
}

/**
 * The JSONPath an input path was made from (`sfn.JsonPath.stringAt('$.x')` → `$.x`): aws-cdk-lib encodes it as a
 * token holding its `path`, a class it does not export.
 */
function inputPathOf(value: string): string {
  return (Tokenization.reverseString(value).firstToken as { path?: string } | undefined)?.path ?? value;
}

/** Why an input path given as `prop` cannot be read by a JSONata definition, if it cannot. */
function jsonataProblemOf(prop: string, value: string): string | undefined {
  if (!isInputPath(value) || isReferencePath(inputPathOf(value))) return undefined;
  return `itemSource: the ${prop} comes from '${inputPathOf(value)}', which queryLanguage JSONATA cannot read; `
    + `give a literal ${prop} or a reference path such as '$.job.${prop}'`;
}

/** `value` as a definition in `queryLanguage` reads it: in JSONata, an input path becomes the expression selecting the same. */
function inQueryLanguage(value: string, queryLanguage: sfn.QueryLanguage | undefined): string {
  return isJsonata(queryLanguage) && isInputPath(value) ? jsonata(referencePathExpression(inputPathOf(value))) : value;
}

class ItemFile extends ItemSource {
  readonly grantsItemAccess = false;
  readonly wildcardKeys?: string;
  readonly problem: string | undefined;
  readonly jsonataProblem: string | undefined;
  private readonly key: string;

  constructor(
    bucket: s3.IBucket,
    description: string,
    options: ItemFileOptions,
    private readonly readerOf: (key: string) => sfn.IItemReader,
  ) {
    const key = options.key ?? sfn.JsonPath.stringAt(DEFAULT_ITEMS_KEY_PATH);
    super(bucket, description, isInputPath(key) ? options.keyPrefix : key);
    this.key = key;
    this.wildcardKeys = isInputPath(key) ? `${options.keyPrefix ?? ''}*` : undefined;
    // keyPrefix limits the keys an input may name; beside a literal key it would be silently ignored.
    const outsidePrefix = !isInputPath(key) && options.keyPrefix !== undefined && !Token.isUnresolved(key) && !key.startsWith(options.keyPrefix);
    this.problem = outsidePrefix ? `itemSource: the key '${key}' is not under its keyPrefix '${options.keyPrefix}'` : undefined;
    this.jsonataProblem = jsonataProblemOf('key', key);
  }

  itemReader(queryLanguage?: sfn.QueryLanguage): sfn.IItemReader {
    const literalKey = isInputPath(this.key) ? undefined : this.key;
    return new ScopedItemReader(this.readerOf(inQueryLanguage(this.key, queryLanguage)), [
      new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [this.objectsArn(literalKey)] }),
    ]);
  }

  grantItemAccess(): undefined {
    return undefined;
  }
}

class ObjectListing extends ItemSource {
  readonly grantsItemAccess = true;
  readonly wildcardKeys: string;
  readonly problem = undefined;
  readonly jsonataProblem: string | undefined;
  private readonly prefix: string;

  constructor(bucket: s3.IBucket, options: ObjectListingOptions) {
    const prefix = options.prefix ?? sfn.JsonPath.stringAt(DEFAULT_ITEMS_PREFIX_PATH);
    super(bucket, 'objects under a prefix', isInputPath(prefix) ? options.keyPrefix : prefix);
    this.prefix = prefix;
    this.wildcardKeys = `${this.scopePrefix ?? ''}*`;
    this.jsonataProblem = jsonataProblemOf('prefix', prefix);
  }

  itemReader(queryLanguage?: sfn.QueryLanguage): sfn.IItemReader {
    const listBucket = new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn] });
    if (this.scopePrefix !== undefined) listBucket.addCondition('StringLike', { 's3:prefix': `${this.scopePrefix}*` });
    return new ScopedItemReader(new sfn.S3ObjectsItemReader({ bucket: this.bucket, prefix: inQueryLanguage(this.prefix, queryLanguage) }), [listBucket]);
  }

  grantItemAccess(mapFunction: iam.IGrantable): iam.Grant {
    this.bucket.encryptionKey?.grantDecrypt(mapFunction);
    return iam.Grant.addToPrincipal({ grantee: mapFunction, actions: ['s3:GetObject'], resourceArns: [this.objectsArn(undefined)] });
  }
}

/**
 * aws-cdk-lib's S3 item readers grant s3:GetObject on every object of the bucket, and s3:ListBucket
 * on all of it; this one renders the same ItemReader and grants only what the source names.
 */
class ScopedItemReader implements sfn.IItemReader {
  readonly bucket: s3.IBucket;
  readonly bucketNamePath?: string;
  readonly resource: string;
  readonly maxItems?: number;

  constructor(private readonly reader: sfn.IItemReader, private readonly statements: iam.PolicyStatement[]) {
    this.bucket = reader.bucket;
    this.bucketNamePath = reader.bucketNamePath;
    this.resource = reader.resource;
    this.maxItems = reader.maxItems;
  }

  render(queryLanguage?: sfn.QueryLanguage): any {
    return this.reader.render(queryLanguage);
  }

  providePolicyStatements(): iam.PolicyStatement[] {
    return this.statements;
  }

  validateItemReader(): string[] {
    return this.reader.validateItemReader();
  }
}
