import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import {
  CompleteMultipartUploadCommand, CreateBucketCommand, CreateMultipartUploadCommand, PutObjectCommand, S3Client, UploadPartCommand,
} from '@aws-sdk/client-s3';
import { SNSClient, CreateTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { CfnTemplate } from '../assembly/cloud-assembly';
import { IntrinsicResolver, LOCAL_REGION } from '../assembly/intrinsics';
import type { MeteringProxy, RequestMeter } from './request-meter';

export interface CreateFromTemplateOptions {
  /**
   * Visibility timeout of every queue, in seconds, instead of the template's, so that
   * redelivery and dead-lettering take seconds locally rather than minutes.
   * @default - the template's
   */
  readonly visibilityTimeoutSeconds?: number;
}

/** A queue the local run created: its logical id, URL and ARN. */
export interface LocalQueue {
  readonly logicalId: string;
  readonly url: string;
  readonly arn: string;
}

/** The only interface the local endpoints listen on: they serve this machine's run, not the network. */
export const LOCAL_HOST = '127.0.0.1';

/**
 * The fauxqs SNS/SQS emulator, in this process (on a worker thread), holding a
 * template's topics, queues, redrive policies and subscriptions — and its
 * buckets, since fauxqs serves S3 on the same endpoint.
 */
export class LocalSnsSqs {
  readonly sns: SNSClient;
  readonly sqs: SQSClient;
  /** Path-style requests, as an SDK client uses for an IP-address endpoint such as the handlers' `AWS_ENDPOINT_URL_S3`. */
  readonly s3: S3Client;
  /** Queues by logical id. */
  readonly queues = new Map<string, LocalQueue>();

  /** The queue of an ARN, when the template made one (an event source's, a redrive policy's target, a schedule's target). */
  queueByArn(arn: unknown): LocalQueue | undefined {
    return [...this.queues.values()].find((q) => q.arn === arn);
  }

  private constructor(
    private readonly worker: Worker,
    /** The URL SDK clients point at, e.g. `http://127.0.0.1:<port>`. */
    readonly endpoint: string,
    /** The address the server is bound to, as its `server.address()` reports it. */
    readonly boundAddress: AddressInfo,
    /** With a meter, the proxy in front of fauxqs that counts the requests (`sdp cost`). */
    private readonly proxy?: MeteringProxy,
  ) {
    const config = { endpoint, region: LOCAL_REGION, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
    this.sns = new SNSClient(config);
    this.sqs = new SQSClient(config);
    this.s3 = new S3Client({ ...config, forcePathStyle: true });
  }

  /** Starts fauxqs; with a meter, behind a proxy that counts the requests, whose endpoint the clients use. */
  static async start(options: { meter?: RequestMeter } = {}): Promise<LocalSnsSqs> {
    const worker = new Worker(path.join(__dirname, 'fauxqs-thread.mjs'), { workerData: { host: LOCAL_HOST } });
    let started: { address: string; bound: AddressInfo };
    let proxy: MeteringProxy | undefined;
    try {
      started = await new Promise<{ address: string; bound: AddressInfo }>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
      proxy = await options.meter?.proxy('sns-sqs-s3', started.address);
    } catch (error) {
      // A thread that did not start (or whose meter did not) would keep the process alive.
      await worker.terminate();
      throw error;
    }
    return new LocalSnsSqs(worker, proxy?.endpoint ?? started.address, started.bound, proxy);
  }

  /** Creates the template's queues (dead-letter queues first), topics, SQS subscriptions and buckets, with their attributes. */
  async createFromTemplate(template: CfnTemplate, options: CreateFromTemplateOptions = {}): Promise<void> {
    const resolver = new IntrinsicResolver(template);
    const ofType = (type: string) => Object.entries(template.Resources).filter(([, r]) => r.Type === type);
    for (const [logicalId] of ofType('AWS::S3::Bucket')) {
      await this.s3.send(new CreateBucketCommand({ Bucket: resolver.physicalName(logicalId) }));
    }
    const queues = ofType('AWS::SQS::Queue').sort(([, a], [, b]) => Number(Boolean(a.Properties?.RedrivePolicy)) - Number(Boolean(b.Properties?.RedrivePolicy)));
    for (const [logicalId, resource] of queues) {
      const p = resource.Properties ?? {};
      const attributes: Record<string, string> = {};
      const visibility = options.visibilityTimeoutSeconds ?? p.VisibilityTimeout;
      if (visibility !== undefined) attributes.VisibilityTimeout = String(visibility);
      if (p.MessageRetentionPeriod !== undefined) attributes.MessageRetentionPeriod = String(p.MessageRetentionPeriod);
      if (p.FifoQueue) attributes.FifoQueue = 'true';
      if (p.ContentBasedDeduplication) attributes.ContentBasedDeduplication = 'true';
      if (p.RedrivePolicy) attributes.RedrivePolicy = JSON.stringify(resolver.resolve(p.RedrivePolicy));
      const name = resolver.physicalName(logicalId);
      const { QueueUrl } = await this.sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
      this.queues.set(logicalId, { logicalId, url: QueueUrl!, arn: resolver.arn(logicalId) });
    }
    for (const [logicalId, resource] of ofType('AWS::SNS::Topic')) {
      const p = resource.Properties ?? {};
      await this.sns.send(new CreateTopicCommand({
        Name: resolver.physicalName(logicalId),
        Attributes: { ...p.FifoTopic && { FifoTopic: 'true' }, ...p.ContentBasedDeduplication && { ContentBasedDeduplication: 'true' } },
      }));
    }
    for (const [, resource] of ofType('AWS::SNS::Subscription')) {
      const p = resolver.resolve(resource.Properties ?? {}) as Record<string, any>;
      if (p.Protocol !== 'sqs') continue; // e-mail and other endpoints have nothing to deliver to locally
      const attributes: Record<string, string> = {};
      if (p.RawMessageDelivery) attributes.RawMessageDelivery = 'true';
      if (p.FilterPolicy) attributes.FilterPolicy = JSON.stringify(p.FilterPolicy);
      if (p.FilterPolicyScope) attributes.FilterPolicyScope = p.FilterPolicyScope;
      if (p.RedrivePolicy) attributes.RedrivePolicy = JSON.stringify(p.RedrivePolicy);
      await this.sns.send(new SubscribeCommand({ TopicArn: p.TopicArn, Protocol: 'sqs', Endpoint: p.Endpoint, Attributes: attributes }));
    }
  }

  async stop(): Promise<void> {
    this.sns.destroy();
    this.sqs.destroy();
    this.s3.destroy();
    await this.proxy?.close();
    const stopped = new Promise((resolve) => this.worker.once('message', resolve));
    this.worker.postMessage('stop');
    await stopped;
    await this.worker.terminate();
  }
}

/** The part size of a multipart upload: over S3's 5 MiB minimum, under the local S3's 11 MiB request limit. */
const PART_BYTES = 8 * 1024 * 1024;

/**
 * Puts an object of any size and returns its size in bytes: in one request, or in parts as an SDK uploads a large
 * object (the local S3 takes requests of at most 11 MiB; a 1,000,000-item result file is larger).
 */
export async function putObject(s3: S3Client, Bucket: string, Key: string, body: string | Uint8Array): Promise<number> {
  const bytes = Buffer.from(body);
  if (bytes.length <= PART_BYTES) {
    await s3.send(new PutObjectCommand({ Bucket, Key, Body: bytes }));
    return bytes.length;
  }
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key }));
  const parts = [];
  for (let offset = 0, PartNumber = 1; offset < bytes.length; offset += PART_BYTES, PartNumber++) {
    const { ETag } = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber, Body: bytes.subarray(offset, offset + PART_BYTES) }));
    parts.push({ ETag, PartNumber });
  }
  await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: parts } }));
  return bytes.length;
}
