import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import Module from 'node:module';
import * as path from 'node:path';
import type { Context } from 'aws-lambda';
import { AssemblyStack, functionCodeDir } from '../assembly/cloud-assembly';
import { IntrinsicResolver, LOCAL_ACCOUNT, LOCAL_REGION } from '../assembly/intrinsics';
import { isWarmUpEvent } from '../../handlers/warm-up';

type Handler = (event: unknown, context: Context) => Promise<unknown> | unknown;

/**
 * A function's error as Lambda reports it: Step Functions sees `name` as the
 * error and `message` as the cause, the JSON `{ errorType, errorMessage, trace }`.
 */
export class LambdaFunctionError extends Error {
  constructor(errorType: string, errorMessage: string, trace: string[] = []) {
    super(JSON.stringify({ errorType, errorMessage, trace }));
    this.name = errorType;
  }
}

/**
 * An error of the Lambda service itself, before any function code runs: Step Functions names it
 * `Lambda.<exception>` (https://docs.aws.amazon.com/step-functions/latest/dg/bp-lambda-serviceexception.html),
 * so a Task's `Retry` or `Catch` on that name applies; an SQS event source backs off on a throttle.
 */
export class LambdaServiceError extends Error {
  constructor(
    /** The Invoke API's exception, e.g. `TooManyRequestsException`. */
    readonly errorCode: 'TooManyRequestsException' | 'ResourceNotFoundException',
    message: string,
    readonly statusCode: number,
    /** Why a throttle happened, as the Invoke API's `Reason`. */
    readonly reason?: 'ReservedFunctionConcurrentInvocationLimitExceeded' | 'ConcurrentInvocationLimitExceeded',
  ) {
    super(message);
    this.name = `Lambda.${errorCode}`;
  }
}

/** What a function's instances did, for the run summary. */
export interface FunctionStats {
  /** Invocations that reached an instance (throttled ones excluded). */
  invocations: number;
  /** On-demand instances started because every instance was busy: cold starts. */
  coldStarts: number;
  /** Instances initialised up front as provisioned concurrency (not cold starts). */
  provisioned: number;
  /** Milliseconds spent loading the bundle, every instance (provisioned ones too) summed. */
  initMs: number;
  /** Invocations refused with `Lambda.TooManyRequestsException`. */
  throttles: number;
  /** Invocations that outlasted the function's Timeout (`Sandbox.Timedout`); each discarded its instance. */
  timeouts: number;
  /** Invocations that ended in a function error, timeouts and init failures included. */
  errors: number;
  /** Most invocations in progress at once. */
  peakConcurrency: number;
  /** Instances alive now (idle or busy): started ones less the discarded. */
  instances: number;
  /** Milliseconds the invocations ran, each rounded up to 1 ms as Lambda bills duration (init excluded: see `initMs`). */
  billedMs: number;
  /** Invocations with a warm-up event (`withWarmUp`'s), included in `invocations`. */
  warmUps: number;
  /**
   * Other invocations that found an instance only the warm-ups kept: one a warm-up started and nothing else had used,
   * or one idle longer than `idleInstanceLifetimeMs` since its last other invocation. Each is a cold start saved.
   */
  coldStartsSaved: number;
  /** Idle instances reclaimed after `idleInstanceLifetimeMs` without an invocation. */
  reclaimed: number;
}

export interface LocalLambdaOptions {
  /**
   * Concurrent executions shared by the functions without reserved concurrency (the account's unreserved pool).
   * @default - 1000 (a new account's quota) less the stack's reserved concurrency
   */
  readonly unreservedConcurrency?: number;
  /**
   * How long an idle on-demand instance lives before it is reclaimed (Lambda reclaims idle instances after some minutes; the time is
   * not documented). Provisioned instances are never reclaimed.
   * @default - never: an instance lives as long as the runtime
   */
  readonly idleInstanceLifetimeMs?: number;
  /** Milliseconds since the epoch, for idle lifetimes; tests pass a fake clock. @default Date.now */
  readonly now?: () => number;
  /**
   * Resolves the functions' environment variables: the runner's, which gives a queue's `Ref` its local URL.
   * @default - a resolver of the stack's template (queues' URLs in the AWS form)
   */
  readonly resolver?: IntrinsicResolver;
}

/** A new account's quota of concurrent executions per region (https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html). */
const ACCOUNT_CONCURRENCY = 1000;

interface FunctionConfig {
  readonly logicalId: string;
  readonly name: string;
  readonly arn: string;
  readonly file: string;
  readonly exportName: string;
  readonly environment: Record<string, string>;
  readonly timeoutMs: number;
  readonly memoryMb: number;
  /** ReservedConcurrentExecutions, when set: the function's own bound; otherwise it draws on the unreserved pool. */
  readonly reserved?: number;
  /** Provisioned concurrency of its aliases and versions, summed. */
  readonly provisioned: number;
}

/** One execution environment: its own module scope, one invocation at a time. */
interface Instance {
  readonly handler: Handler;
  readonly provisioned: boolean;
  /** When its last invocation ended (or it started), for the idle lifetime. */
  lastUsed: number;
  /** When its last invocation other than a warm-up ended; undefined while only warm-ups used it. */
  lastWorked?: number;
}

interface FunctionState {
  readonly config: FunctionConfig;
  /** Warm instances waiting for an invocation; the most recently used is reused first. */
  readonly idle: Instance[];
  busy: number;
  provisionedStarted: boolean;
  readonly stats: FunctionStats;
}

/**
 * Runs a stack's Lambda functions in this process from the code the cloud
 * assembly would deploy: the bundled asset directory of each function resource,
 * its `Handler` export, `Timeout`, `MemorySize` and environment.
 *
 * As Lambda does (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html), a function runs in
 * instances: each loads the bundle into its own module scope (module-level state belongs to one instance), handles
 * one invocation at a time and is reused while warm; a new one starts (a cold start) only when every instance is busy.
 * Concurrent invocations are bounded by the function's `ReservedConcurrentExecutions`, or else by the unreserved pool
 * the functions without it share (https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html); one
 * more is throttled. Provisioned concurrency of an alias or version starts that many instances on the function's
 * first invocation. An instance whose invocation times out is discarded; with `idleInstanceLifetimeMs`, an idle on-demand
 * instance is reclaimed after that long, which is what a warmer's calls (`withWarmUp`) prevent.
 *
 * Each function's environment variables are applied while an instance
 * initialises and restored after, since one process hosts every function; read
 * configuration at init, as Lambda handlers usually do.
 */
export class LocalLambdaRuntime {
  private readonly functions = new Map<string, FunctionState>();
  private readonly logicalIdByName = new Map<string, string>();
  private readonly resolver: IntrinsicResolver;
  private readonly unreservedConcurrency: number;
  /** Invocations in progress of the functions without reserved concurrency. */
  private unreservedBusy = 0;
  private readonly idleInstanceLifetimeMs?: number;
  private readonly now: () => number;

  constructor(private readonly stack: AssemblyStack, options: LocalLambdaOptions = {}) {
    this.resolver = options.resolver ?? new IntrinsicResolver(stack.template);
    let reserved = 0;
    for (const [logicalId, resource] of Object.entries(stack.template.Resources)) {
      if (resource.Type !== 'AWS::Lambda::Function') continue;
      this.logicalIdByName.set(this.resolver.physicalName(logicalId), logicalId);
      reserved += Number(resource.Properties?.ReservedConcurrentExecutions ?? 0);
    }
    this.unreservedConcurrency = options.unreservedConcurrency ?? Math.max(0, ACCOUNT_CONCURRENCY - reserved);
    this.idleInstanceLifetimeMs = options.idleInstanceLifetimeMs;
    this.now = options.now ?? Date.now;
  }

  /**
   * The function's logical id, from a name, an ARN or a qualified ARN as a task passes it; a
   * {@link LambdaServiceError} `Lambda.ResourceNotFoundException` when the stack has no such function.
   */
  logicalIdOf(functionNameOrArn: string): string {
    const logicalId = this.logicalIdByName.get(functionNameIn(functionNameOrArn));
    if (!logicalId) {
      const arn = functionNameOrArn.startsWith('arn:') ? functionNameOrArn : `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${functionNameOrArn}`;
      throw new LambdaServiceError('ResourceNotFoundException', `Function not found: ${arn}`, 404);
    }
    return logicalId;
  }

  /** What each function's instances did since the runtime started, by logical id (functions not yet invoked left out). */
  stats(): Record<string, FunctionStats> {
    // Instances idle past their lifetime are gone now, not only at the function's next invocation.
    for (const fn of this.functions.values()) this.reclaimIdle(fn);
    return Object.fromEntries([...this.functions].map(([logicalId, { stats }]) => [logicalId, { ...stats }]));
  }

  /** Invocations running now, of every function: while one runs, it may still answer a task token. */
  invocationsInProgress(): number {
    return [...this.functions.values()].reduce((sum, fn) => sum + fn.busy, 0);
  }

  /**
   * Invokes the function synchronously (RequestResponse) on a warm instance, or a new one when all are busy, and
   * returns its result; throws a {@link LambdaFunctionError} when the function fails and a {@link LambdaServiceError}
   * when Lambda refuses the invocation (throttled, or no such function).
   */
  async invoke(functionNameOrArn: string, event: unknown): Promise<unknown> {
    return this.startInvocation(functionNameOrArn, event);
  }

  /**
   * Starts an invocation once Lambda has taken it: a refusal (no such function, throttled) is thrown now, as the Invoke
   * API answers it; the returned promise is the function's own outcome. What an asynchronous caller (a schedule) needs.
   */
  startInvocation(functionNameOrArn: string, event: unknown): Promise<unknown> {
    return this.execute(this.admit(functionNameOrArn), event);
  }

  /** Finds the function and takes a unit of its concurrency, or throws the {@link LambdaServiceError} Lambda refuses with. */
  private admit(functionNameOrArn: string): FunctionState {
    const fn = this.functionState(this.logicalIdOf(functionNameOrArn));
    this.startProvisioned(fn);
    this.acquire(fn);
    return fn;
  }

  /** Runs an admitted invocation on a warm instance, or a new one, and releases its concurrency after. */
  private async execute(fn: FunctionState, event: unknown): Promise<unknown> {
    this.reclaimIdle(fn);
    const warmUp = isWarmUpEvent(event);
    let instance: Instance | undefined;
    let discard = false;
    let started: number | undefined;
    try {
      fn.stats.invocations += 1;
      if (warmUp) fn.stats.warmUps += 1;
      const pooled = this.takeIdle(fn, warmUp);
      if (pooled && !warmUp && this.keptOnlyByWarmUps(pooled)) fn.stats.coldStartsSaved += 1;
      instance = pooled ?? this.startInstance(fn, false);
      started = performance.now();
      return await this.run(fn.config, instance, event);
    } catch (error) {
      fn.stats.errors += 1;
      if (error instanceof TimedOut) {
        fn.stats.timeouts += 1;
        // Lambda stops a timed-out instance; here its abandoned code may still run, but nothing reuses the instance.
        discard = true;
        fn.stats.instances -= 1;
      }
      throw asFunctionError(error);
    } finally {
      if (started !== undefined) fn.stats.billedMs += Math.ceil(performance.now() - started);
      if (instance && !discard) {
        instance.lastUsed = this.now();
        if (!warmUp) instance.lastWorked = instance.lastUsed;
        fn.idle.push(instance);
      }
      this.release(fn);
    }
  }

  /**
   * A warm instance for the invocation: the most recently used one, as Lambda reuses; for an ordinary invocation, one that
   * would be warm without the warm-ups first, so a cold start is counted saved only when no such instance was there.
   */
  private takeIdle(fn: FunctionState, warmUp: boolean): Instance | undefined {
    if (!warmUp) {
      for (let i = fn.idle.length - 1; i >= 0; i--) {
        if (!this.keptOnlyByWarmUps(fn.idle[i])) return fn.idle.splice(i, 1)[0];
      }
    }
    return fn.idle.pop();
  }

  /** Drops the on-demand instances idle longer than the idle lifetime, as Lambda reclaims them. */
  private reclaimIdle(fn: FunctionState): void {
    const lifetime = this.idleInstanceLifetimeMs;
    if (lifetime === undefined) return;
    const now = this.now();
    const alive = fn.idle.filter((i) => i.provisioned || now - i.lastUsed <= lifetime);
    const reclaimed = fn.idle.length - alive.length;
    if (reclaimed === 0) return;
    fn.idle.splice(0, fn.idle.length, ...alive);
    fn.stats.reclaimed += reclaimed;
    fn.stats.instances -= reclaimed;
  }

  /**
   * Whether a warm instance exists now only thanks to warm-up calls: only warm-ups used it so far (one started it), or
   * without them it would have been reclaimed (idle longer than the lifetime since its last other invocation).
   */
  private keptOnlyByWarmUps(instance: Instance): boolean {
    if (instance.provisioned) return false;
    if (instance.lastWorked === undefined) return true;
    return this.idleInstanceLifetimeMs !== undefined && this.now() - instance.lastWorked > this.idleInstanceLifetimeMs;
  }

  private async run(config: FunctionConfig, instance: Instance, event: unknown): Promise<unknown> {
    const deadline = Date.now() + config.timeoutMs;
    const context = lambdaContext(config, deadline);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TimedOut(config.timeoutMs)), config.timeoutMs);
    });
    try {
      // A JSON round trip, as the event and result cross the Lambda API as JSON.
      const result = await Promise.race([Promise.resolve().then(() => instance.handler(JSON.parse(JSON.stringify(event ?? null)), context)), timeout]);
      return result === undefined ? null : JSON.parse(JSON.stringify(result));
    } finally {
      clearTimeout(timer);
    }
  }

  /** Takes a unit of the function's concurrency, or throws the throttle Lambda answers with. */
  private acquire(fn: FunctionState): void {
    const { reserved } = fn.config;
    const full = reserved !== undefined ? fn.busy >= reserved : this.unreservedBusy >= this.unreservedConcurrency;
    if (full) {
      fn.stats.throttles += 1;
      throw new LambdaServiceError('TooManyRequestsException', 'Rate Exceeded.', 429,
        reserved !== undefined ? 'ReservedFunctionConcurrentInvocationLimitExceeded' : 'ConcurrentInvocationLimitExceeded');
    }
    fn.busy += 1;
    if (reserved === undefined) this.unreservedBusy += 1;
    fn.stats.peakConcurrency = Math.max(fn.stats.peakConcurrency, fn.busy);
  }

  private release(fn: FunctionState): void {
    fn.busy -= 1;
    if (fn.config.reserved === undefined) this.unreservedBusy -= 1;
  }

  /** The provisioned instances, started on the function's first invocation and counted apart from cold starts. */
  private startProvisioned(fn: FunctionState): void {
    if (fn.provisionedStarted) return;
    fn.provisionedStarted = true;
    for (let i = 0; i < fn.config.provisioned; i++) fn.idle.push(this.startInstance(fn, true));
  }

  /** Loads the bundle into a module scope of its own, with the function's environment applied while it initialises. */
  private startInstance(fn: FunctionState, provisioned: boolean): Instance {
    const { config } = fn;
    const started = performance.now();
    try {
      // No X-Ray daemon here: Powertools Tracer, read at init, is off even where AWS_EXECUTION_ENV is set (CloudShell, ECS).
      const environment = { ...config.environment, AWS_LAMBDA_FUNCTION_NAME: config.name, POWERTOOLS_TRACE_ENABLED: 'false' };
      const handler = withEnvironment(environment, () => loadHandlerModule(config.file)[config.exportName]);
      if (typeof handler !== 'function') throw new Error(`function ${config.logicalId}: ${config.file} exports no function '${config.exportName}'`);
      fn.stats.instances += 1;
      return { handler, provisioned, lastUsed: this.now() };
    } finally {
      fn.stats.initMs += performance.now() - started;
      if (provisioned) fn.stats.provisioned += 1;
      else fn.stats.coldStarts += 1;
    }
  }

  private functionState(logicalId: string): FunctionState {
    let state = this.functions.get(logicalId);
    if (!state) {
      state = {
        config: this.configOf(logicalId),
        idle: [],
        busy: 0,
        provisionedStarted: false,
        stats: { invocations: 0, coldStarts: 0, provisioned: 0, initMs: 0, throttles: 0, timeouts: 0, errors: 0, peakConcurrency: 0, instances: 0, billedMs: 0, warmUps: 0, coldStartsSaved: 0, reclaimed: 0 },
      };
      this.functions.set(logicalId, state);
    }
    return state;
  }

  private configOf(logicalId: string): FunctionConfig {
    const props = this.stack.template.Resources[logicalId].Properties ?? {};
    const codeDir = functionCodeDir(this.stack, logicalId);
    if (!codeDir) throw new Error(`function ${logicalId} has no code asset in the assembly (inline or imported code cannot run locally)`);
    const handlerSpec = String(props.Handler ?? 'index.handler');
    const modulePath = path.join(codeDir, handlerSpec.slice(0, handlerSpec.lastIndexOf('.')));
    const file = ['.js', '.cjs', '.mjs'].map((ext) => modulePath + ext).find((f) => fs.existsSync(f));
    if (!file) throw new Error(`function ${logicalId}: handler module ${modulePath}.js not found in its asset`);
    const name = this.resolver.physicalName(logicalId);
    return {
      logicalId,
      name,
      arn: this.resolver.arn(logicalId),
      file,
      exportName: handlerSpec.slice(handlerSpec.lastIndexOf('.') + 1),
      environment: this.resolver.resolve(props.Environment?.Variables ?? {}) as Record<string, string>,
      timeoutMs: Number(props.Timeout ?? 3) * 1000,
      memoryMb: Number(props.MemorySize ?? 128),
      reserved: props.ReservedConcurrentExecutions === undefined ? undefined : Number(props.ReservedConcurrentExecutions),
      provisioned: this.provisionedConcurrencyOf(name),
    };
  }

  /** The provisioned concurrency of the function's aliases and versions, summed. */
  private provisionedConcurrencyOf(functionName: string): number {
    return Object.values(this.stack.template.Resources)
      .filter((r) => (r.Type === 'AWS::Lambda::Alias' || r.Type === 'AWS::Lambda::Version') && r.Properties?.ProvisionedConcurrencyConfig)
      .filter((r) => functionNameIn(String(this.resolver.resolve(r.Properties!.FunctionName))) === functionName)
      .reduce((sum, r) => sum + Number(r.Properties!.ProvisionedConcurrencyConfig.ProvisionedConcurrentExecutions ?? 0), 0);
  }
}

/** The function name in a name, an ARN, or either qualified with a version or alias (`name:live`). */
function functionNameIn(functionNameOrArn: string): string {
  return functionNameOrArn.match(/function:([^:]+)/)?.[1] ?? functionNameOrArn.split(':')[0];
}

/** An invocation that outlasted the function's Timeout: the error Lambda reports, and a sign to discard the instance. */
class TimedOut extends LambdaFunctionError {
  constructor(timeoutMs: number) {
    super('Sandbox.Timedout', `Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`);
  }
}

/** A function's error as the Invoke API reports it. Duck-typed: the handler's Error may come from another realm (a test sandbox's), failing instanceof. */
function asFunctionError(error: unknown): LambdaFunctionError {
  if (error instanceof LambdaFunctionError) return error;
  const e = (typeof error === 'object' && error !== null ? error : { message: String(error) }) as Partial<Error>;
  return new LambdaFunctionError(e.name || 'Error', e.message ?? '', e.stack?.split('\n') ?? []);
}

/**
 * The project's node_modules: what the local run offers bundles in place of the
 * AWS SDK v3 that Lambda's Node.js runtime provides (bundles leave `@aws-sdk/*` external).
 */
const RUNTIME_PROVIDED_MODULES = path.resolve(path.dirname(require.resolve('@aws-sdk/client-dynamodb/package.json')), '..', '..');

/**
 * Loads a bundled handler with Node's own module loader, as Lambda does, so
 * its `require`s resolve next to the bundle first and then to the modules the runtime provides.
 */
function loadHandlerModule(file: string, source = fs.readFileSync(file, 'utf8')): any {
  const handlerModule = new Module(file);
  handlerModule.filename = file;
  handlerModule.paths = [...(Module as any)._nodeModulePaths(path.dirname(file)), RUNTIME_PROVIDED_MODULES];
  (handlerModule as any)._compile(source, file);
  return handlerModule.exports;
}

/**
 * The environment variables handlers see: the process's own. (A test runner
 * such as jest gives test code a copy of `process.env`; natively loaded
 * handlers read the real one.)
 */
export const handlerEnvironment: NodeJS.ProcessEnv = loadHandlerModule(path.join(__dirname, 'handler-environment.js'), 'module.exports = process.env;');

function withEnvironment<T>(environment: Record<string, string>, init: () => T): T {
  const previous = Object.fromEntries(Object.keys(environment).map((k) => [k, handlerEnvironment[k]]));
  Object.assign(handlerEnvironment, environment);
  try {
    return init();
  } finally {
    for (const [key, value] of Object.entries(previous)) {
      if (value === undefined) delete handlerEnvironment[key];
      else handlerEnvironment[key] = value;
    }
  }
}

function lambdaContext(fn: FunctionConfig, deadline: number): Context {
  const unsupported = () => {
    throw new Error('callback-style completion is not supported; return a promise');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: fn.name,
    functionVersion: '$LATEST',
    invokedFunctionArn: fn.arn,
    memoryLimitInMB: String(fn.memoryMb),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${fn.name}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}
