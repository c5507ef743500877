import { Fn, Token } from 'aws-cdk-lib';

// The API's mapping templates (Velocity, rendered by API Gateway) and the table of Step Functions errors it answers:
// the request each route sends to Step Functions, and how each answer becomes the API's response.

/** What Step Functions' `__type` ends with, and how the API answers it. */
export interface ErrorCase {
  readonly type: string;
  readonly status: number;
  readonly error: string;
  readonly message: string;
}

const NAME_RULE = 'Idempotency-Key must be 1..80 characters without spaces, wildcards (? *), brackets, quotes or control characters';
const THROTTLED: ErrorCase[] = [
  { type: 'ThrottlingException', status: 429, error: 'Throttled', message: 'Step Functions is throttling this API; retry with backoff' },
  { type: 'ExecutionLimitExceeded', status: 429, error: 'TooManyExecutions', message: 'The state machine has too many running executions; retry later' },
];
export const START_ERRORS: ErrorCase[] = [
  { type: 'ExecutionAlreadyExists', status: 409, error: 'ExecutionAlreadyExists',
    message: 'An execution named by this Idempotency-Key already exists and has finished or was started with a different body; GET /executions/{Idempotency-Key} describes it' },
  { type: 'InvalidName', status: 400, error: 'InvalidIdempotencyKey', message: NAME_RULE },
  { type: 'InvalidExecutionInput', status: 400, error: 'InvalidExecutionInput', message: 'The body is not a valid execution input (JSON of at most 256 KiB)' },
  ...THROTTLED,
];
export const DESCRIBE_ERRORS: ErrorCase[] = [
  { type: 'ExecutionDoesNotExist', status: 404, error: 'ExecutionDoesNotExist', message: 'This state machine has no execution of that name' },
  { type: 'InvalidArn', status: 404, error: 'ExecutionDoesNotExist', message: 'This state machine has no execution of that name' },
  ...THROTTLED,
];

/** The execution ARN prefix of `stateMachineArn`: `arn:…:execution:<state machine name>`. */
function executionArnPrefix(stateMachineArn: string): string {
  if (!Token.isUnresolved(stateMachineArn)) return stateMachineArn.replace(':stateMachine:', ':execution:');
  return Fn.join(':execution:', Fn.split(':stateMachine:', stateMachineArn));
}

/** Escapes a string for a JSON string literal: `$util.escapeJavaScript` also escapes `'`, which JSON does not allow. */
const jsonString = (reference: string): string => `$util.escapeJavaScript(${reference}).replaceAll("\\\\'", "'")`;

export function startExecutionTemplate(stateMachineArn: string, nameFromHeader: boolean): string {
  return [
    '## The validated body is the execution input; an Idempotency-Key header names the execution.',
    ...(nameFromHeader ? ["#set($name = $input.params('Idempotency-Key'))"] : []),
    '{',
    `  "stateMachineArn": "${stateMachineArn}",`,
    ...(nameFromHeader ? [`  #if("$!name" != "")"name": "${jsonString('$name')}",#end`] : []),
    `  "input": "${jsonString("$input.json('$')")}"`,
    '}',
  ].join('\n');
}

export function describeExecutionTemplate(stateMachineArn: string): string {
  return [
    '## {id} is the execution name; its ARN is the state machine ARN with :stateMachine: made :execution:.',
    '{',
    `  "executionArn": "${executionArnPrefix(stateMachineArn)}:${jsonString("$input.params('id')")}"`,
    '}',
  ].join('\n');
}

/** `"field": <JSON of $.field>` or `null` when Step Functions left it out. */
const optionalField = (field: string): string => `"${field}": #if($input.path('$.${field}'))$input.json('$.${field}')#{else}null#end`;

export const START_RESULT_TEMPLATE = `{"executionArn": $input.json('$.executionArn'), "startDate": $input.json('$.startDate')}`;

export const DESCRIBE_RESULT_TEMPLATE = [
  '## output is JSON text in Step Functions\' answer; printed as is, it is JSON in ours.',
  '{',
  `  "executionArn": $input.json('$.executionArn'),`,
  `  "name": $input.json('$.name'),`,
  `  "status": $input.json('$.status'),`,
  `  "startDate": $input.json('$.startDate'),`,
  `  ${optionalField('stopDate')},`,
  `  "output": #if($input.path('$.status') == "SUCCEEDED" && $input.path('$.output'))$input.path('$.output')#{else}null#end,`,
  `  ${optionalField('error')},`,
  `  ${optionalField('cause')}`,
  '}',
].join('\n');

export const SYNC_RESULT_TEMPLATE = [
  '## StartSyncExecution answers 200 whatever the outcome; a failed or timed-out execution becomes a 500.',
  `#if($input.path('$.status') == "SUCCEEDED")`,
  `{"executionArn": $input.json('$.executionArn'), "status": "SUCCEEDED", "output": $input.path('$.output')}`,
  '#else',
  '#set($context.responseOverride.status = 500)',
  `{"executionArn": $input.json('$.executionArn'), "status": $input.json('$.status'), ${optionalField('error')}, ${optionalField('cause')}}`,
  '#end',
].join('\n');

/** Maps Step Functions' error type (`__type`, e.g. `com.amazonaws.swf.service.v2.model#ExecutionAlreadyExists`) to a status and a JSON error. */
export function errorTemplate(cases: ErrorCase[]): string {
  const body = (c: Pick<ErrorCase, 'error' | 'message'>) =>
    `{"error": "${c.error}", "message": "${c.message}", "requestId": "$context.requestId"}`;
  const internal = body({ error: 'InternalError', message: 'Step Functions could not serve the request; the access log and its requestId tell more' });
  if (cases.length === 0) return internal;
  const lines = ["#set($type = $input.path('$.__type'))"];
  cases.forEach((c, i) => {
    lines.push(`#${i === 0 ? 'if' : 'elseif'}($type && $type.endsWith("${c.type}"))`);
    lines.push(`#set($context.responseOverride.status = ${c.status})`);
    lines.push(body(c));
  });
  lines.push('#else', '#set($context.responseOverride.status = 500)', internal, '#end');
  return lines.join('\n');
}
