// The errors the library's state machines retry, shared by MapReduceWorkflow and FanOutJobWorkflow.

/** Errors of the Lambda service itself, as AWS recommends retrying them, plus throttling. */
export const LAMBDA_TRANSIENT_ERRORS = [
  'Lambda.ClientExecutionTimeoutException',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
];

/** DynamoDB errors a write can succeed after. */
export const DYNAMODB_TRANSIENT_ERRORS = [
  'DynamoDB.ProvisionedThroughputExceededException',
  'DynamoDB.RequestLimitExceededException',
  'DynamoDB.ThrottlingException',
  'DynamoDB.InternalServerErrorException',
];
