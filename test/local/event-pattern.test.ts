import { matchesPattern, patternProblems } from '../../tools/local/event-bus';

// Each operator against the examples of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html,
// eb-create-pattern-operators.html, eb-event-patterns-content-based-filtering.html, eb-event-patterns-null-values.html
// and eb-event-patterns-arrays.html.

/** The EC2 event of the AWS pages, with a detail the content-filtering examples read. */
function ec2Event(detail: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    'version': '0',
    'id': '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
    'detail-type': 'EC2 Instance State-change Notification',
    'source': 'aws.ec2',
    'account': '111122223333',
    'time': '2017-12-22T18:43:48Z',
    'region': 'us-west-1',
    'resources': ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
    'detail': detail,
    ...extra,
  };
}

const event = ec2Event({ 'instance-id': 'i-1234567890abcdef0', 'state': 'terminated' });

describe('matchesPattern', () => {
  test('exact values: every field named must match (AND), one of its values is enough (OR); other fields are ignored', () => {
    expect(matchesPattern({ 'source': ['aws.ec2'], 'detail-type': ['EC2 Instance State-change Notification'] }, event)).toBe(true);
    expect(matchesPattern({ source: ['aws.ec2'], detail: { state: ['running', 'terminated'] } }, event)).toBe(true);
    expect(matchesPattern({ source: ['aws.ec2'], detail: { state: ['running', 'pending'] } }, event)).toBe(false);
    // Matching is exact: no case folding.
    expect(matchesPattern({ source: ['AWS.EC2'] }, event)).toBe(false);
  });

  test('a field the pattern names and the event lacks does not match; a nested pattern needs an object there', () => {
    expect(matchesPattern({ detail: { 'c-count': [5] } }, event)).toBe(false);
    expect(matchesPattern({ source: { nested: ['aws.ec2'] } }, event)).toBe(false);
  });

  test('numbers match by value', () => {
    expect(matchesPattern({ detail: { 'x-limit': [301.8] } }, ec2Event({ 'x-limit': 3.018e2 }))).toBe(true);
    expect(matchesPattern({ detail: { 'x-limit': ['301.8'] } }, ec2Event({ 'x-limit': 301.8 }))).toBe(false);
  });

  test('arrays: an array field matches when the pattern and the event share a value', () => {
    const withResources = ec2Event({}, {
      resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f', 'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f'],
    });
    expect(matchesPattern({ resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f', 'arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f'] }, withResources)).toBe(true);
    expect(matchesPattern({ resources: ['arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f'] }, withResources)).toBe(false);
  });

  test('null and the empty string match themselves, not each other', () => {
    const nulls = ec2Event({ eventVersion: '', responseElements: null });
    expect(matchesPattern({ detail: { eventVersion: [''] } }, nulls)).toBe(true);
    expect(matchesPattern({ detail: { responseElements: [null] } }, nulls)).toBe(true);
    expect(matchesPattern({ detail: { eventVersion: [null] } }, nulls)).toBe(false);
    expect(matchesPattern({ detail: { responseElements: [''] } }, nulls)).toBe(false);
  });

  test('prefix, and prefix ignoring case', () => {
    expect(matchesPattern({ time: [{ prefix: '2017-12-22' }] }, event)).toBe(true);
    expect(matchesPattern({ time: [{ prefix: '2017-10-02' }] }, event)).toBe(false);
    expect(matchesPattern({ service: [{ prefix: { 'equals-ignore-case': 'eventb' } }] }, { service: 'EventBridge' })).toBe(true);
    expect(matchesPattern({ service: [{ prefix: 'eventb' }] }, { service: 'EventBridge' })).toBe(false);
  });

  test('suffix, and suffix ignoring case', () => {
    expect(matchesPattern({ FileName: [{ suffix: '.png' }] }, { FileName: 'image.png' })).toBe(true);
    expect(matchesPattern({ FileName: [{ suffix: '.png' }] }, { FileName: 'image.PNG' })).toBe(false);
    expect(matchesPattern({ FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] }, { FileName: 'image.PNG' })).toBe(true);
  });

  test('equals-ignore-case', () => {
    expect(matchesPattern({ 'detail-type': [{ 'equals-ignore-case': 'ec2 instance state-change notification' }] }, event)).toBe(true);
    expect(matchesPattern({ 'detail-type': [{ 'equals-ignore-case': 'ec2 instance launch' }] }, event)).toBe(false);
  });

  test('anything-but a value, a list of strings or of numbers; the field must be there', () => {
    expect(matchesPattern({ detail: { state: [{ 'anything-but': 'initializing' }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { state: [{ 'anything-but': 'terminated' }] } }, event)).toBe(false);
    expect(matchesPattern({ detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { state: [{ 'anything-but': ['stopped', 'terminated'] }] } }, event)).toBe(false);
    expect(matchesPattern({ detail: { 'x-limit': [{ 'anything-but': 123 }] } }, ec2Event({ 'x-limit': 123 }))).toBe(false);
    expect(matchesPattern({ detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } }, ec2Event({ 'x-limit': 250 }))).toBe(true);
    expect(matchesPattern({ detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } }, ec2Event({ 'x-limit': 200 }))).toBe(false);
    expect(matchesPattern({ detail: { missing: [{ 'anything-but': 'x' }] } }, event)).toBe(false);
  });

  test('anything-but a prefix, a suffix, ignoring case, a wildcard', () => {
    expect(matchesPattern({ detail: { state: [{ 'anything-but': { prefix: 'init' } }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { state: [{ 'anything-but': { prefix: 'term' } }] } }, event)).toBe(false);
    expect(matchesPattern({ FileName: [{ 'anything-but': { suffix: '.png' } }] }, { FileName: 'notes.txt' })).toBe(true);
    expect(matchesPattern({ FileName: [{ 'anything-but': { suffix: '.png' } }] }, { FileName: 'image.png' })).toBe(false);
    expect(matchesPattern({ state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] }, { state: 'INITIALIZING' })).toBe(false);
    expect(matchesPattern({ state: [{ 'anything-but': { 'equals-ignore-case': ['initializing', 'stopped'] } }] }, { state: 'Running' })).toBe(true);
    expect(matchesPattern({ FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] }, { FilePath: 'src/lib/index.ts' })).toBe(false);
    expect(matchesPattern({ FilePath: [{ 'anything-but': { wildcard: ['*/lib/*', '*/bin/*'] } }] }, { FilePath: 'src/main.ts' })).toBe(true);
  });

  test('numeric: every comparison of the range holds; only numbers match', () => {
    const pattern = { detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }], 'd-count': [{ numeric: ['<', 10] }], 'x-limit': [{ numeric: ['=', 3.018e2] }] } };
    expect(matchesPattern(pattern, ec2Event({ 'c-count': 5, 'd-count': 9.5, 'x-limit': 301.8 }))).toBe(true);
    expect(matchesPattern(pattern, ec2Event({ 'c-count': 0, 'd-count': 9.5, 'x-limit': 301.8 }))).toBe(false);
    expect(matchesPattern(pattern, ec2Event({ 'c-count': 3, 'd-count': 10, 'x-limit': 301.8 }))).toBe(false);
    expect(matchesPattern(pattern, ec2Event({ 'c-count': '3', 'd-count': 1, 'x-limit': 301.8 }))).toBe(false);
  });

  test('exists: false matches a missing field, or one that is not a leaf; exists: true a leaf that is there', () => {
    const noCount = ec2Event({ state: ['initializing', 'running'] });
    expect(matchesPattern({ detail: { 'c-count': [{ exists: false }] } }, noCount)).toBe(true);
    expect(matchesPattern({ detail: { 'c-count': [{ exists: false }] } }, ec2Event({ 'state': ['initializing'], 'c-count': { c1: 100 } }))).toBe(true);
    expect(matchesPattern({ detail: { 'c-count': [{ exists: false }] } }, ec2Event({ 'c-count': 1 }))).toBe(false);
    expect(matchesPattern({ detail: { state: [{ exists: true }] } }, noCount)).toBe(true);
    expect(matchesPattern({ detail: { 'c-count': [{ exists: true }] } }, noCount)).toBe(false);
  });

  test('wildcard: * matches any run of characters, \\* a star', () => {
    const pattern = { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] };
    expect(matchesPattern(pattern, { EventBusArn: 'arn:aws:events:us-east-1:123456789012:event-bus/orders' })).toBe(true);
    expect(matchesPattern(pattern, { EventBusArn: 'arn:aws:events:us-west-2:123456789012:event-bus/orders' })).toBe(false);
    expect(matchesPattern({ name: [{ wildcard: 'a\\*b' }] }, { name: 'a*b' })).toBe(true);
    expect(matchesPattern({ name: [{ wildcard: 'a\\*b' }] }, { name: 'axb' })).toBe(false);
  });

  test('cidr: an IPv4 address within the block', () => {
    expect(matchesPattern({ detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } }, ec2Event({ sourceIPAddress: '10.0.0.17' }))).toBe(true);
    expect(matchesPattern({ detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } }, ec2Event({ sourceIPAddress: '10.0.1.17' }))).toBe(false);
  });

  test('$or: one of the alternatives matches, at any level', () => {
    const pattern = { detail: { $or: [{ 'c-count': [{ numeric: ['>', 0, '<=', 5] }] }, { 'd-count': [{ numeric: ['<', 10] }] }, { 'x-limit': [{ numeric: ['=', 3.018e2] }] }] } };
    expect(matchesPattern(pattern, ec2Event({ 'c-count': 9, 'd-count': 3 }))).toBe(true);
    expect(matchesPattern(pattern, ec2Event({ 'c-count': 9, 'd-count': 30 }))).toBe(false);
    const topLevel = { source: ['aws.ec2'], $or: [{ 'detail-type': ['Nothing'] }, { detail: { state: ['terminated'] } }] };
    expect(matchesPattern(topLevel, event)).toBe(true);
  });
});

describe('patternProblems', () => {
  test('names an operator the local run does not know, and a malformed one, with where they are', () => {
    expect(patternProblems({ detail: { size: [{ 'greater-than': 3 }], count: [{ numeric: ['>>', 1] }] } })).toEqual([
      "detail.size: the local run does not know the operator 'greater-than'",
      "detail.count: numeric: '>>' 1 is not one of <, <=, =, >, >= and a number",
    ]);
    expect(patternProblems({ source: ['a', { prefix: 'b' }], $or: [{ detail: { n: [{ numeric: ['<', 1] }] } }] })).toEqual([]);
  });
});
