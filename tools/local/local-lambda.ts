import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import Module from 'node:module';
import * as path from 'node:path';
import type { Context } from 'aws-lambda';
import { AssemblyStack, functionCodeDir } from '../assembly/cloud-assembly';
import { IntrinsicResolver } from '../assembly/intrinsics';

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

interface LoadedFunction {
  readonly name: string;
  readonly arn: string;
  readonly handler: Handler;
  readonly timeoutMs: number;
  readonly memoryMb: number;
}

/**
 * Runs a stack's Lambda functions in this process from the code the cloud
 * assembly would deploy: the bundled asset directory of each function resource,
 * its `Handler` export, `Timeout`, `MemorySize` and environment.
 *
 * Each function's environment variables are applied while its module
 * initialises and restored after, since one process hosts every function; read
 * configuration at init, as Lambda handlers usually do.
 */
export class LocalLambdaRuntime {
  private readonly loaded = new Map<string, LoadedFunction>();
  private readonly logicalIdByName = new Map<string, string>();
  private readonly resolver: IntrinsicResolver;

  constructor(private readonly stack: AssemblyStack) {
    this.resolver = new IntrinsicResolver(stack.template);
    for (const [logicalId, resource] of Object.entries(stack.template.Resources)) {
      if (resource.Type === 'AWS::Lambda::Function') this.logicalIdByName.set(this.resolver.physicalName(logicalId), logicalId);
    }
  }

  /** The function's logical id, from a name, an ARN or a qualified ARN as a task passes it. */
  logicalIdOf(functionNameOrArn: string): string {
    const name = functionNameOrArn.match(/function:([^:]+)/)?.[1] ?? functionNameOrArn;
    const logicalId = this.logicalIdByName.get(name);
    if (!logicalId) throw new Error(`no Lambda function '${functionNameOrArn}' in stack ${this.stack.name}`);
    return logicalId;
  }

  /** Invokes the function synchronously (RequestResponse) and returns its result, or throws a {@link LambdaFunctionError}. */
  async invoke(functionNameOrArn: string, event: unknown): Promise<unknown> {
    const fn = this.load(this.logicalIdOf(functionNameOrArn));
    const deadline = Date.now() + fn.timeoutMs;
    const context = lambdaContext(fn, deadline);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new LambdaFunctionError('Sandbox.Timedout', `Task timed out after ${(fn.timeoutMs / 1000).toFixed(2)} seconds`)),
        fn.timeoutMs,
      );
    });
    try {
      // A JSON round trip, as the event and result cross the Lambda API as JSON.
      const result = await Promise.race([Promise.resolve(fn.handler(JSON.parse(JSON.stringify(event ?? null)), context)), timeout]);
      return result === undefined ? null : JSON.parse(JSON.stringify(result));
    } catch (error) {
      if (error instanceof LambdaFunctionError) throw error;
      // Duck-typed: the handler's Error may come from another realm (a test sandbox's), failing instanceof.
      const e = (typeof error === 'object' && error !== null ? error : { message: String(error) }) as Partial<Error>;
      throw new LambdaFunctionError(e.name || 'Error', e.message ?? '', e.stack?.split('\n') ?? []);
    } finally {
      clearTimeout(timer);
    }
  }

  private load(logicalId: string): LoadedFunction {
    const cached = this.loaded.get(logicalId);
    if (cached) return cached;
    const props = this.stack.template.Resources[logicalId].Properties ?? {};
    const codeDir = functionCodeDir(this.stack, logicalId);
    if (!codeDir) throw new Error(`function ${logicalId} has no code asset in the assembly (inline or imported code cannot run locally)`);
    const handlerSpec = String(props.Handler ?? 'index.handler');
    const exportName = handlerSpec.slice(handlerSpec.lastIndexOf('.') + 1);
    const modulePath = path.join(codeDir, handlerSpec.slice(0, handlerSpec.lastIndexOf('.')));
    const file = ['.js', '.cjs', '.mjs'].map((ext) => modulePath + ext).find((f) => fs.existsSync(f));
    if (!file) throw new Error(`function ${logicalId}: handler module ${modulePath}.js not found in its asset`);

    const environment = this.resolver.resolve(props.Environment?.Variables ?? {}) as Record<string, string>;
    const name = this.resolver.physicalName(logicalId);
    const handler = withEnvironment({ ...environment, AWS_LAMBDA_FUNCTION_NAME: name }, () => loadHandlerModule(file)[exportName]);
    if (typeof handler !== 'function') throw new Error(`function ${logicalId}: ${file} exports no function '${exportName}'`);

    const fn = { name, arn: this.resolver.arn(logicalId), handler, timeoutMs: Number(props.Timeout ?? 3) * 1000, memoryMb: Number(props.MemorySize ?? 128) };
    this.loaded.set(logicalId, fn);
    return fn;
  }
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

function lambdaContext(fn: LoadedFunction, deadline: number): Context {
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
