import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { entryCode, HANDLER_RUNTIME } from '../../lib/core/handler-code';

/** A new app whose assembly goes to a new temporary directory named `sdp-<name>-…`: what each fixture app synthesizes into. */
export function fixtureApp(name: string, context?: Record<string, unknown>): { assemblyDir: string; app: App } {
  const assemblyDir = fs.mkdtempSync(path.join(os.tmpdir(), `sdp-${name}-`));
  return { assemblyDir, app: new App({ outdir: assemblyDir, ...context && { context } }) };
}

/** A function of a test handler (`test/fixtures/handlers/<file>`), bundled in-process as the library's are; 10 s timeout unless `props` says. */
export function fixtureFunction(
  scope: Construct, id: string, file: string, props: Omit<lambda.FunctionProps, 'code' | 'handler' | 'runtime'> = {},
): lambda.Function {
  return new lambda.Function(scope, id, {
    code: entryCode(path.join(__dirname, '..', 'fixtures', 'handlers', file)),
    handler: 'index.handler',
    runtime: HANDLER_RUNTIME,
    ...props,
    timeout: props.timeout ?? Duration.seconds(10),
  });
}
