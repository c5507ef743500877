import * as fs from 'node:fs';
import * as path from 'node:path';
import { BuildOptions, TypeScriptCode } from '@mrgrain/cdk-esbuild';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import handlerBuildOptions from './handler-build-options.json';

/** The Node.js major the handlers are bundled for and run on: Lambda's `nodejs24.x`. */
export const HANDLER_RUNTIME = lambda.Runtime.NODEJS_24_X;

/**
 * esbuild options of every handler bundle: the library's own, bundled when the
 * library is built (`scripts/build-handler-bundles.js` reads the same JSON), and
 * users' entry files, bundled at synth. One CommonJS `index.js` exporting
 * `handler`, minified, with a source map (`NODE_OPTIONS=--enable-source-maps`
 * maps stack traces back); `@aws-sdk/*` stays external because Lambda's Node.js
 * runtime provides AWS SDK v3.
 */
export const HANDLER_BUILD_OPTIONS: BuildOptions = handlerBuildOptions as BuildOptions;

/** The handlers the library deploys itself, prebuilt into `dist/handler-bundles/<name>/index.js`. */
export type LibraryHandler = 'split-job' | 'warmer';

/** Where the library's prebuilt handler bundles are, from the library's source (`lib/core`) or its build (`dist/lib/core`). */
export function handlerBundlesDir(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${__dirname}: cannot find the library's handler bundles`);
    dir = parent;
  }
  return path.join(dir, 'dist', 'handler-bundles');
}

/**
 * The code of one of the library's own handlers: its prebuilt bundle, deployed
 * as it is (as aws-cdk-lib ships its custom-resource handlers), so an app needs
 * neither esbuild nor Docker for it.
 */
export function libraryHandlerCode(name: LibraryHandler): lambda.Code {
  const dir = path.join(handlerBundlesDir(), name);
  if (!fs.existsSync(path.join(dir, 'index.js'))) {
    throw new Error(`the library's '${name}' handler bundle is missing (${dir}/index.js); in the library's repository, run 'npm run build'`);
  }
  return lambda.Code.fromAsset(dir);
}

/**
 * A user's TypeScript or JavaScript handler entry, bundled at synth by esbuild's
 * JS API inside the synth process (`@mrgrain/cdk-esbuild`): no Docker and no
 * child process per function, unlike `NodejsFunction`. The bundle is `index.js`.
 */
export function entryCode(entry: string): lambda.Code {
  const absoluteEntry = path.resolve(entry);
  // cdk-esbuild takes entries inside its working directory only: the app's, or else the entry's own folder.
  const inWorkingDir = !path.relative(process.cwd(), absoluteEntry).startsWith('..');
  return new TypeScriptCode({ index: absoluteEntry }, {
    buildOptions: { ...HANDLER_BUILD_OPTIONS, absWorkingDir: inWorkingDir ? process.cwd() : path.dirname(absoluteEntry) },
  });
}
