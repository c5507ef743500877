/** An error an AWS SDK v3 client throws: the modelled exception's name, or the service's error code. */
type SdkError = Error & { Code?: string; $metadata?: { httpStatusCode?: number; requestId?: string } };

/** What an SDK v3 client returns: the API response and the request's metadata. */
type SdkOutput = Record<string, any> & { $metadata: { httpStatusCode?: number; requestId?: string } };

/**
 * The API response as an optimised integration returns it: with `SdkHttpMetadata` and `SdkResponseMetadata`, as the
 * examples of https://docs.aws.amazon.com/step-functions/latest/dg/connect-sns.html and connect-sqs.html show.
 */
export function withSdkMetadata({ $metadata, ...response }: SdkOutput): Record<string, unknown> {
  return { ...response, SdkHttpMetadata: { HttpStatusCode: $metadata.httpStatusCode }, SdkResponseMetadata: { RequestId: $metadata.requestId } };
}

/** A service of an optimised integration, as Step Functions names its errors. */
export interface OptimisedService {
  /** The errors' prefix, e.g. `SNS`. */
  readonly prefix: string;
  /** The service's name in the cause, as the Java SDK that Step Functions uses names it, e.g. `AmazonSNS`. */
  readonly javaService: string;
  /** The service's base exception, the name of any exception without a name of its own, e.g. `AmazonSNSException`. */
  readonly baseException: string;
  /** Whether the exception has a name of its own. */
  readonly named: (exception: string) => boolean;
}

/**
 * The error an optimised integration fails with: `<prefix>.<exception class>` (the Java SDK's class: the error code
 * with `Exception` appended when it lacks it, e.g. SQS's `QueueDoesNotExist` is `QueueDoesNotExistException`), the
 * service's base exception for the rest; the cause in the Java SDK's format, its error code as the service sent it
 * (e.g. https://docs.aws.amazon.com/step-functions/latest/dg/connect-ddb.html).
 */
export function optimisedIntegrationError(error: unknown, service: OptimisedService): Error {
  const e = error as SdkError;
  const failure = new Error(`${e.message} (Service: ${service.javaService}; Status Code: ${e.$metadata?.httpStatusCode ?? 400}; Error Code: ${e.Code ?? e.name}; Request ID: ${e.$metadata?.requestId ?? 'local'}; Proxy: null)`);
  failure.name = `${service.prefix}.${service.named(e.name) ? withExceptionSuffix(e.name) : service.baseException}`;
  return failure;
}

/**
 * The error an AWS SDK integration fails with: `<Service>.<Error>Exception`, the service name in PascalCase and
 * `Exception` appended when the error name lacks it (S3's `NoSuchKey` is `S3.NoSuchKeyException`); an error the
 * service's API does not model is `<Service>.<Service>Exception` (the SDK's base exception).
 * https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html
 */
export function awsSdkIntegrationError(error: unknown, service: string, modelled: (exception: string) => boolean): Error {
  const e = error as SdkError;
  const failure = new Error(`${e.message} (Service: ${service}, Status Code: ${e.$metadata?.httpStatusCode ?? 400}, Request ID: ${e.$metadata?.requestId ?? 'local'})`);
  failure.name = `${service}.${modelled(e.name) ? withExceptionSuffix(e.name) : `${service}Exception`}`;
  return failure;
}

/** Whether an SDK client module exports a class of that name: the service's API models the exception. */
export function exportedBy(sdkModule: object): (exception: string) => boolean {
  return (exception) => typeof (sdkModule as Record<string, unknown>)[exception] === 'function';
}

function withExceptionSuffix(name: string): string {
  return name.endsWith('Exception') ? name : `${name}Exception`;
}

/** A message body as the integration sends it: a string as it is, any other JSON value as its JSON text. */
export function jsonText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
