import { AssemblyStack, constructPath, readCloudAssembly, resourcesOfType, selectStack } from '../../tools/assembly/cloud-assembly';
import { IntrinsicResolver } from '../../tools/assembly/intrinsics';
import {
  deadLetterMessage, DeadLetteredFiring, FiringLogEntry, firingInput, formatFiringLogEntry, LocalSchedule, LocalScheduler, parseScheduleExpression, readSchedules, ScheduleFiring,
} from '../../tools/local/schedules';
import { exampleAssembly } from '../support/example-app';
import { SCHEDULE_FIXTURE_STACK, synthesizeScheduleFixture } from '../support/schedule-fixture-app';

/** The first `count` firings after `from`, as ISO strings (UTC). */
function firings(expression: string, timeZone: string, from: string, count: number): string[] {
  const parsed = parseScheduleExpression(expression, timeZone);
  const times: string[] = [];
  let after = new Date(from);
  for (let next = parsed.next(after); next && times.length < count; next = parsed.next(after)) {
    times.push(next.toISOString());
    after = next;
  }
  return times;
}

describe('schedule expressions', () => {
  test("the example's Seoul warmer windows fire at Seoul's local times (UTC+9, no daylight saving)", () => {
    // Friday 27 November 2026, 18:50 in Seoul: the business-hours window ends with 18:55, resumes Monday 09:00.
    expect(firings('cron(0/5 9-18 ? * MON-FRI *)', 'Asia/Seoul', '2026-11-27T09:49:00Z', 3))
      .toEqual(['2026-11-27T09:50:00.000Z', '2026-11-27T09:55:00.000Z', '2026-11-30T00:00:00.000Z']);
    // The night window picks up at 19:00 Friday; the weekend window at 00:00 Saturday.
    expect(firings('cron(0/5 0-8,19-23 ? * MON-FRI *)', 'Asia/Seoul', '2026-11-27T09:49:00Z', 1)).toEqual(['2026-11-27T10:00:00.000Z']);
    expect(firings('cron(0/5 * ? * SAT,SUN *)', 'Asia/Seoul', '2026-11-27T09:49:00Z', 1)).toEqual(['2026-11-27T15:00:00.000Z']);
  });

  // https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html#daylist-savings-time
  test('America/New_York, spring forward: a time the change skips does not fire that day', () => {
    // 02:30 does not exist on Sunday 8 March 2026; 02:30 EST is 07:30Z, 02:30 EDT is 06:30Z.
    expect(firings('cron(30 2 * * ? *)', 'America/New_York', '2026-03-07T00:00:00Z', 3))
      .toEqual(['2026-03-07T07:30:00.000Z', '2026-03-09T06:30:00.000Z', '2026-03-10T06:30:00.000Z']);
  });

  test('America/New_York, fall back: a repeated local time fires once, at its first occurrence', () => {
    // 01:00-01:59 happens twice on Sunday 1 November 2026 (EDT 05:00Z, then EST 06:00Z).
    expect(firings('cron(0/30 * * * ? *)', 'America/New_York', '2026-11-01T04:45:00Z', 4))
      .toEqual(['2026-11-01T05:00:00.000Z', '2026-11-01T05:30:00.000Z', '2026-11-01T07:00:00.000Z', '2026-11-01T07:30:00.000Z']);
  });

  test('day-of-week numbers run 1-7 from Sunday, not 0-6 as in Unix cron; names mean the same', () => {
    // 30 November 2026 is a Monday.
    expect(firings('cron(0 10 ? * 2 *)', 'UTC', '2026-11-29T00:00:00Z', 2)).toEqual(['2026-11-30T10:00:00.000Z', '2026-12-07T10:00:00.000Z']);
    expect(firings('cron(0 10 ? * MON *)', 'UTC', '2026-11-29T00:00:00Z', 2)).toEqual(firings('cron(0 10 ? * 2 *)', 'UTC', '2026-11-29T00:00:00Z', 2));
    expect(firings('cron(0 10 ? * 1 *)', 'UTC', '2026-11-29T00:00:00Z', 1)).toEqual(['2026-11-29T10:00:00.000Z']);
  });

  test('L, W and #: last day, last weekday of a day, nearest weekday, n-th weekday', () => {
    expect(firings('cron(0 0 L * ? *)', 'UTC', '2026-01-15T00:00:00Z', 2)).toEqual(['2026-01-31T00:00:00.000Z', '2026-02-28T00:00:00.000Z']);
    // L alone in day-of-week is its last day, Saturday (3 January 2026).
    expect(firings('cron(0 0 ? * L *)', 'UTC', '2026-01-01T00:00:00Z', 1)).toEqual(['2026-01-03T00:00:00.000Z']);
    // 6L: the last Friday of the month.
    expect(firings('cron(0 0 ? * 6L *)', 'UTC', '2026-01-01T00:00:00Z', 2)).toEqual(['2026-01-30T00:00:00.000Z', '2026-02-27T00:00:00.000Z']);
    // 15W: 15 February 2026 is a Sunday, so Monday the 16th; 1W: 1 February is a Sunday, and the month is not left, so the 2nd.
    expect(firings('cron(0 0 15W * ? *)', 'UTC', '2026-02-01T00:00:00Z', 1)).toEqual(['2026-02-16T00:00:00.000Z']);
    expect(firings('cron(0 0 1W * ? *)', 'UTC', '2026-01-31T00:00:00Z', 1)).toEqual(['2026-02-02T00:00:00.000Z']);
    expect(firings('cron(0 0 LW * ? *)', 'UTC', '2026-02-01T00:00:00Z', 1)).toEqual(['2026-02-27T00:00:00.000Z']);
    // 3#2: the second Tuesday.
    expect(firings('cron(0 0 ? * 3#2 *)', 'UTC', '2026-01-01T00:00:00Z', 2)).toEqual(['2026-01-13T00:00:00.000Z', '2026-02-10T00:00:00.000Z']);
  });

  test('the year field bounds the schedule: after its last year there is no next firing', () => {
    expect(firings('cron(0 12 1 JAN ? 2027-2028)', 'UTC', '2026-06-01T00:00:00Z', 5)).toEqual(['2027-01-01T12:00:00.000Z', '2028-01-01T12:00:00.000Z']);
  });

  test('at() fires once, at its local time in its time zone', () => {
    expect(firings('at(2027-01-01T09:00:00)', 'Asia/Seoul', '2026-12-31T00:00:00Z', 3)).toEqual(['2027-01-01T00:00:00.000Z']);
  });

  test('rate() fires from its origin, every period', () => {
    const rate = parseScheduleExpression('rate(5 minutes)', 'UTC', { origin: new Date('2026-11-30T00:00:00Z') });
    expect(rate.next(new Date('2026-11-29T23:00:00Z'))).toEqual(new Date('2026-11-30T00:00:00Z'));
    expect(rate.next(new Date('2026-11-30T00:00:00Z'))).toEqual(new Date('2026-11-30T00:05:00Z'));
    expect(rate.next(new Date('2026-11-30T01:02:03Z'))).toEqual(new Date('2026-11-30T01:05:00Z'));
  });

  test.each([
    ['cron(0 10 * * * *)', "needs '?' in exactly one of day-of-month and day-of-week"],
    ['cron(0 10 * * ?)', 'has 5 fields'],
    ['cron(61 10 * * ? *)', "has '61' in minutes, which takes 0-59"],
    ['cron(0 10 ? * 0 *)', "has '0' in day-of-week, which takes 1-7 or SUN-SAT"],
    ['cron(0 10 1 * ? 2200)', "has '2200' in year, which takes 1970-2199"],
    ['rate(0 minutes)', 'needs rate(value unit)'],
    ['rate(30 seconds)', 'needs rate(value unit)'],
    ['at(2026-02-30T00:00:00)', 'names no such date and time'],
    ['every 5 minutes', 'is not rate(...), cron(...) or at(...)'],
  ])('%s is refused, naming the rule', (expression, rule) => {
    expect(() => parseScheduleExpression(expression)).toThrow(`schedule expression '${expression}' ${rule}`);
  });

  test('an unknown time zone is refused, naming it', () => {
    expect(() => parseScheduleExpression('rate(1 day)', 'Mars/Olympus')).toThrow("has the time zone 'Mars/Olympus', which is not an IANA time zone");
  });
});

describe('readSchedules', () => {
  let fanOut: AssemblyStack;
  beforeAll(() => {
    fanOut = selectStack(readCloudAssembly(exampleAssembly().assemblyDir), 'FanOutExample');
  });

  function logicalIdAt(stack: AssemblyStack, type: string, path: string): string {
    const id = resourcesOfType(stack.template, type).find((candidate) => constructPath(stack, candidate) === path);
    if (!id) throw new Error(`no ${type} at ${path}`);
    return id;
  }

  test("the example's Every5Minutes schedule starts RunJob with the stored job's itemsUri, 3 retries within an hour, then its dead-letter queue", () => {
    const resolver = new IntrinsicResolver(fanOut.template);
    const schedule = readSchedules(fanOut, resolver).find((s) => s.path === 'FanOutExample/Every5Minutes/Schedule')!;
    const bucket = resolver.physicalName(logicalIdAt(fanOut, 'AWS::S3::Bucket', 'FanOutExample/JobsBucket'));
    expect(schedule).toMatchObject({
      service: 'scheduler', expression: 'rate(5 minutes)', timeZone: 'UTC', enabled: true, unsupported: [],
      targets: [{
        arn: resolver.arn(logicalIdAt(fanOut, 'AWS::StepFunctions::StateMachine', 'FanOutExample/RunJob/StateMachine')),
        input: { itemsUri: `s3://${bucket}/jobs/scheduled.json` },
        retryAttempts: 3,
        maxEventAgeSeconds: 3600,
        deadLetterQueueArn: resolver.arn(logicalIdAt(fanOut, 'AWS::SQS::Queue', 'FanOutExample/Every5Minutes/DeadLetterQueue')),
      }],
    });
  });

  test("the warmer's three Seoul windows invoke the warmer function with the splitter and the window's concurrency", () => {
    const resolver = new IntrinsicResolver(fanOut.template);
    const windows = readSchedules(fanOut, resolver).filter((s) => s.path.startsWith('FanOutExample/Warmer/'));
    const warmer = resolver.arn(logicalIdAt(fanOut, 'AWS::Lambda::Function', 'FanOutExample/Warmer/Function'));
    const splitter = resolver.arn(logicalIdAt(fanOut, 'AWS::Lambda::Function', 'FanOutExample/Splitter/Function'));
    expect(windows.map((w) => [w.expression, w.timeZone, w.targets[0].arn, w.targets[0].input])).toEqual([
      ['cron(0/5 9-18 ? * MON-FRI *)', 'Asia/Seoul', warmer, { targets: [{ functionName: splitter, concurrency: 2 }], holdMs: 200 }],
      ['cron(0/5 0-8,19-23 ? * MON-FRI *)', 'Asia/Seoul', warmer, { targets: [{ functionName: splitter, concurrency: 1 }], holdMs: 200 }],
      ['cron(0/5 * ? * SAT,SUN *)', 'Asia/Seoul', warmer, { targets: [{ functionName: splitter, concurrency: 1 }], holdMs: 200 }],
    ]);
  });

  test("upcoming over the example's schedules: the 5-minute job from start-up, and the warmer's business-hours window handing over to the night one", () => {
    const schedules = readSchedules(fanOut, new IntrinsicResolver(fanOut.template));
    // Friday 27 November 2026, 18:52 in Seoul.
    jest.useFakeTimers({ now: new Date('2026-11-27T09:52:00Z') });
    try {
      const upcoming = new LocalScheduler(schedules, { deliver: async () => {}, deadLetter: async () => {} }).upcoming(4);
      expect(upcoming.map((u) => [u.schedule.path, u.at.toISOString()])).toEqual([
        ['FanOutExample/Every5Minutes/Schedule', '2026-11-27T09:52:00.000Z'],
        ['FanOutExample/Warmer/Window1/Schedule', '2026-11-27T09:55:00.000Z'],
        ['FanOutExample/Every5Minutes/Schedule', '2026-11-27T09:57:00.000Z'],
        ['FanOutExample/Warmer/Window2/Schedule', '2026-11-27T10:00:00.000Z'],
      ]);
    } finally {
      jest.useRealTimers();
    }
  });

  describe('a scheduled rule, a rule target without Input, a disabled schedule, a universal target and an unresolvable one', () => {
    let schedules: LocalSchedule[];
    beforeAll(() => {
      const stack = selectStack(readCloudAssembly(synthesizeScheduleFixture()), SCHEDULE_FIXTURE_STACK);
      schedules = readSchedules(stack, new IntrinsicResolver(stack.template));
    });
    const at = (path: string) => schedules.find((s) => s.path === `${SCHEDULE_FIXTURE_STACK}/${path}`)!;

    test('ScheduleTrigger with ScheduleService.RULE is a rule in UTC with its fixed input', () => {
      expect(at('Nightly/Rule')).toMatchObject({
        service: 'rule', expression: 'cron(0 2 * * ? *)', timeZone: 'UTC', enabled: true, unsupported: [],
        targets: [{ input: { report: 'nightly' }, retryAttempts: 3, maxEventAgeSeconds: 3600 }],
      });
    });

    // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-run-lambda-schedule.html: the event a scheduled rule sends.
    test("a rule target without Input gets the scheduled event, naming the rule's ARN", async () => {
      const hourly = at('Hourly');
      const delivered: ScheduleFiring[] = [];
      jest.useFakeTimers({ now: new Date('2026-11-30T00:00:00Z') });
      try {
        const scheduler = new LocalScheduler([hourly], { deliver: async (f) => { delivered.push(f); }, deadLetter: async () => {} });
        scheduler.start();
        // A rule's rate counts from its creation: the first run one period after it.
        await jest.advanceTimersByTimeAsync(3_600_000);
        await scheduler.stop();
      } finally {
        jest.useRealTimers();
      }
      expect(delivered).toHaveLength(1);
      expect(delivered[0].input).toEqual({
        version: '0', id: delivered[0].executionId, 'detail-type': 'Scheduled Event', source: 'aws.events',
        account: '000000000000', time: '2026-11-30T01:00:00Z', region: 'us-east-1', resources: [hourly.arn], detail: {},
      });
      expect(hourly.arn).toMatch(/^arn:aws:events:us-east-1:000000000000:rule\//);
    });

    // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html: the template filled from the scheduled event.
    test("a rule target's InputTransformer is filled from the scheduled event", () => {
      const digest = at('Digest');
      expect(digest.unsupported).toEqual([]);
      const input = firingInput(digest, digest.targets[0], { scheduledTime: new Date('2026-11-30T01:00:00Z'), attempt: 1, executionId: 'e-1' });
      expect(input).toEqual({ at: '2026-11-30T01:00:00Z', rule: digest.arn.split('/').pop() });
    });

    test('enabled: false reads as disabled', () => {
      expect(at('Paused/Schedule').enabled).toBe(false);
    });

    test("a target that is an app's event bus is read with its local ARN, and the other schedules are still read", () => {
      expect(at('Forward').targets).toEqual([expect.objectContaining({ arn: expect.stringMatching(/^arn:aws:events:us-east-1:000000000000:event-bus\/\w+$/) })]);
      expect(schedules).toHaveLength(6);
    });

    test('a universal target is reported by name, not skipped silently', () => {
      expect(at('Universal').unsupported).toEqual([
        "Target.Arn 'arn:aws:scheduler:::aws-sdk:sqs:sendMessage' is a universal target; the local run delivers to templated targets only",
      ]);
    });
  });
});

describe('LocalScheduler', () => {
  const START = new Date('2026-11-30T00:00:00Z');
  beforeEach(() => jest.useFakeTimers({ now: START }));
  afterEach(() => jest.useRealTimers());

  function schedule(overrides: Partial<LocalSchedule> & Pick<LocalSchedule, 'expression'>): LocalSchedule {
    return {
      logicalId: 'Test', path: 'App/Test', service: 'scheduler', arn: 'arn:aws:scheduler:us-east-1:000000000000:schedule/default/Test',
      timeZone: 'UTC', enabled: true, unsupported: [],
      targets: [{ arn: 'arn:aws:lambda:us-east-1:000000000000:function:Fn', input: { job: 'x' }, retryAttempts: 2, maxEventAgeSeconds: 3600, deadLetterQueueArn: 'arn:aws:sqs:us-east-1:000000000000:Dlq' }],
      ...overrides,
    };
  }

  function recorder() {
    const delivered: ScheduleFiring[] = [];
    const deadLettered: Array<{ firing: DeadLetteredFiring; error: Error }> = [];
    const log: FiringLogEntry[] = [];
    return {
      delivered, deadLettered, log,
      options: {
        deliver: async (firing: ScheduleFiring) => { delivered.push(firing); },
        deadLetter: async (firing: DeadLetteredFiring, error: Error) => { deadLettered.push({ firing, error }); },
        onFiring: (entry: FiringLogEntry) => log.push(entry),
      },
    };
  }

  test("speed 60: a Scheduler 5-minute rate fires at start, then every 5 real seconds, reporting virtual times", async () => {
    const { delivered, options } = recorder();
    const scheduler = new LocalScheduler([schedule({ expression: 'rate(5 minutes)' })], { ...options, speed: 60 });
    scheduler.start();
    await jest.advanceTimersByTimeAsync(15_000);
    await scheduler.stop();
    expect(delivered.map((f) => f.scheduledTime.toISOString())).toEqual([
      '2026-11-30T00:00:00.000Z', '2026-11-30T00:05:00.000Z', '2026-11-30T00:10:00.000Z', '2026-11-30T00:15:00.000Z',
    ]);
    expect(delivered[0].input).toEqual({ job: 'x' });
    expect(scheduler.stats.Test).toEqual({ fired: 4, delivered: 4, retried: 0, deadLettered: 0, dropped: 0, stopped: 0 });
  });

  test('upcoming lists the next firings of every runnable schedule, earliest first; disabled ones never fire', async () => {
    const { delivered, options } = recorder();
    const seoul = schedule({ logicalId: 'Seoul', expression: 'cron(0/5 9-18 ? * MON-FRI *)', timeZone: 'Asia/Seoul' });
    const off = schedule({ logicalId: 'Off', expression: 'rate(1 minute)', enabled: false });
    const scheduler = new LocalScheduler([seoul, off], options);
    // Monday 30 November 2026 00:00Z is 09:00 in Seoul.
    expect(scheduler.upcoming(3).map((u) => [u.schedule.logicalId, u.at.toISOString()])).toEqual([
      ['Seoul', '2026-11-30T00:00:00.000Z'], ['Seoul', '2026-11-30T00:05:00.000Z'], ['Seoul', '2026-11-30T00:10:00.000Z'],
    ]);
    scheduler.start();
    await jest.advanceTimersByTimeAsync(10 * 60_000);
    await scheduler.stop();
    expect(delivered.map((f) => [f.schedule.logicalId, f.scheduledTime.toISOString()])).toEqual([
      ['Seoul', '2026-11-30T00:00:00.000Z'], ['Seoul', '2026-11-30T00:05:00.000Z'], ['Seoul', '2026-11-30T00:10:00.000Z'],
    ]);
  });

  test('a one-time at() schedule fires once', async () => {
    const { delivered, options } = recorder();
    const scheduler = new LocalScheduler([schedule({ expression: 'at(2026-11-30T00:01:00)' })], options);
    scheduler.start();
    await jest.advanceTimersByTimeAsync(24 * 3_600_000);
    await scheduler.stop();
    expect(delivered.map((f) => f.scheduledTime.toISOString())).toEqual(['2026-11-30T00:01:00.000Z']);
  });

  test('StartDate and EndDate bound a rate: it counts from StartDate and stops after EndDate', () => {
    const bounded = schedule({ expression: 'rate(10 minutes)', startDate: new Date('2026-11-30T01:00:00Z'), endDate: new Date('2026-11-30T01:25:00Z') });
    const scheduler = new LocalScheduler([bounded], recorder().options);
    expect(scheduler.upcoming(5).map((u) => u.at.toISOString())).toEqual(['2026-11-30T01:00:00.000Z', '2026-11-30T01:10:00.000Z', '2026-11-30T01:20:00.000Z']);
  });

  // "EventBridge retries … because of retriable errors": a target that does not exist does not come back by retrying.
  // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-retry-policy.html
  test('an error marked not retryable is dead-lettered at its first attempt, without an exhausted retry condition', async () => {
    const { deadLettered, options } = recorder();
    const missing = Object.assign(new Error('Function not found'), { name: 'Lambda.ResourceNotFoundException', retryable: false });
    const scheduler = new LocalScheduler([schedule({ expression: 'at(2026-11-30T00:00:30)' })], {
      ...options,
      deliver: async () => { throw missing; },
    });
    scheduler.start();
    await jest.advanceTimersByTimeAsync(60_000);
    await scheduler.stop();
    expect(deadLettered.map(({ firing }) => firing.attempt)).toEqual([1]);
    expect(deadLetterMessage(deadLettered[0].firing, missing).attributes).not.toHaveProperty('EXHAUSTED_RETRY_CONDITION');
    expect(scheduler.stats.Test).toEqual({ fired: 1, delivered: 0, retried: 0, deadLettered: 1, dropped: 0, stopped: 0 });
  });

  test("a rejected run is retried up to the target's retryAttempts, then sent to deadLetter with AWS's attributes", async () => {
    const { deadLettered, log, options } = recorder();
    const attempts: number[] = [];
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' });
    const scheduler = new LocalScheduler([schedule({ expression: 'at(2026-11-30T00:00:30)' })], {
      ...options,
      deliver: async (firing) => { attempts.push(firing.attempt); throw throttled; },
    });
    scheduler.start();
    await jest.advanceTimersByTimeAsync(10 * 60_000);
    await scheduler.stop();
    expect(attempts).toEqual([1, 2, 3]);
    expect(deadLettered).toHaveLength(1);
    const [{ firing, error }] = deadLettered;
    expect(firing).toMatchObject({ attempt: 3, exhaustedRetryCondition: 'MaximumRetryAttempts' });
    expect(deadLetterMessage(firing, error)).toEqual({
      body: '{"job":"x"}',
      attributes: {
        ERROR_CODE: 'TooManyRequestsException', ERROR_MESSAGE: 'Rate exceeded', EXECUTION_ID: firing.executionId,
        EXHAUSTED_RETRY_CONDITION: 'MaximumRetryAttempts', IS_PAYLOAD_TRUNCATED: 'false', RETRY_ATTEMPTS: '2',
        SCHEDULED_TIME: '2026-11-30T00:00:30Z', SCHEDULE_ARN: 'arn:aws:scheduler:us-east-1:000000000000:schedule/default/Test',
        TARGET_ARN: 'arn:aws:lambda:us-east-1:000000000000:function:Fn',
      },
    });
    expect(scheduler.stats.Test).toEqual({ fired: 1, delivered: 0, retried: 2, deadLettered: 1, dropped: 0, stopped: 0 });
    expect(log.map(formatFiringLogEntry)).toEqual([
      'App/Test 2026-11-30T00:00:30Z → arn:aws:lambda:us-east-1:000000000000:function:Fn: dead-lettered after 3 attempts: TooManyRequestsException: Rate exceeded',
    ]);
  });

  test('without a dead-letter queue, a run out of retries is dropped, as AWS drops it', async () => {
    const { deadLettered, log, options } = recorder();
    const noDlq = schedule({ expression: 'at(2026-11-30T00:00:30)' });
    const scheduler = new LocalScheduler([{ ...noDlq, targets: [{ ...noDlq.targets[0], retryAttempts: 0, deadLetterQueueArn: undefined }] }], {
      ...options, deliver: async () => { throw new Error('gone'); },
    });
    scheduler.start();
    await jest.advanceTimersByTimeAsync(60_000);
    await scheduler.stop();
    expect(deadLettered).toEqual([]);
    expect(log.map((e) => e.outcome)).toEqual(['dropped']);
  });

  test('a run that has outlived MaximumEventAgeInSeconds is not retried again', async () => {
    const { deadLettered, options } = recorder();
    const young = schedule({ expression: 'at(2026-11-30T00:00:30)' });
    const scheduler = new LocalScheduler([{ ...young, targets: [{ ...young.targets[0], retryAttempts: 185, maxEventAgeSeconds: 60 }] }], {
      ...options, deliver: async () => { throw new Error('down'); },
    });
    scheduler.start();
    await jest.advanceTimersByTimeAsync(10 * 60_000);
    await scheduler.stop();
    expect(deadLettered.map((d) => d.firing.exhaustedRetryCondition)).toEqual(['MaximumEventAgeInSeconds']);
    expect(deadLettered[0].firing.attempt).toBeLessThan(185);
  });

  test("Scheduler's context attributes in the input are filled in per attempt", async () => {
    const { delivered, options } = recorder();
    const withContext = schedule({ expression: 'at(2026-11-30T00:00:30)' });
    const target = { ...withContext.targets[0], input: { at: '<aws.scheduler.scheduled-time>', attempt: '<aws.scheduler.attempt-number>', arn: '<aws.scheduler.schedule-arn>' } };
    const scheduler = new LocalScheduler([{ ...withContext, targets: [target] }], options);
    scheduler.start();
    await jest.advanceTimersByTimeAsync(60_000);
    await scheduler.stop();
    expect(delivered[0].input).toEqual({ at: '2026-11-30T00:00:30Z', attempt: '1', arn: withContext.arn });
  });

  test('stop waits for the deliveries in flight', async () => {
    let finish!: () => void;
    let finished = false;
    const scheduler = new LocalScheduler([schedule({ expression: 'rate(5 minutes)' })], {
      ...recorder().options,
      deliver: () => new Promise<void>((resolve) => { finish = () => { finished = true; resolve(); }; }),
    });
    scheduler.start();
    await jest.advanceTimersByTimeAsync(0);
    let stopResolved = false;
    const stopped = scheduler.stop().then(() => { stopResolved = true; return finished; });
    await jest.advanceTimersByTimeAsync(60_000);
    expect(stopResolved).toBe(false);
    finish();
    expect(await stopped).toBe(true);
    expect(scheduler.stats.Test.delivered).toBe(1);
  });

  test('schedules the local run cannot run, and disabled ones, are not started', async () => {
    const { delivered, options } = recorder();
    const scheduler = new LocalScheduler([
      schedule({ logicalId: 'Universal', expression: 'rate(1 minute)', unsupported: ['a universal target'] }),
      schedule({ logicalId: 'Off', expression: 'rate(1 minute)', enabled: false }),
    ], options);
    scheduler.start();
    await jest.advanceTimersByTimeAsync(5 * 60_000);
    await scheduler.stop();
    expect(delivered).toEqual([]);
    expect(scheduler.upcoming(1)).toEqual([]);
  });
});
