import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { entryCode, HANDLER_RUNTIME, handlerBundlesDir, libraryHandlerCode } from '../../lib/core/handler-code';
import { functionCodeDir, readCloudAssembly, resourcesOfType } from '../../tools/assembly/cloud-assembly';

/** Synthesizes one function with `code` and returns its bundled `index.js`. */
function bundleOf(code: lambda.Code): string {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdp-code-'));
  const stack = new Stack(new App({ outdir }), 'Code');
  new lambda.Function(stack, 'Fn', { code, handler: 'index.handler', runtime: HANDLER_RUNTIME });
  (stack.node.root as App).synth();
  const [assembled] = readCloudAssembly(outdir);
  const [fn] = resourcesOfType(assembled.template, 'AWS::Lambda::Function');
  return fs.readFileSync(path.join(functionCodeDir(assembled, fn)!, 'index.js'), 'utf8');
}

test('an entry file is bundled into one minified CommonJS index.js with its source map', () => {
  const bundle = bundleOf(entryCode(path.join(__dirname, '..', 'fixtures', 'handlers', 'sleepy.ts')));
  const loaded = { exports: {} as { handler?: unknown } };
  new Function('module', 'exports', 'require', bundle)(loaded, loaded.exports, require);
  expect(typeof loaded.exports.handler).toBe('function');
  expect(bundle.trim().split('\n')).toEqual([expect.any(String), '//# sourceMappingURL=index.js.map']);
});

test('an entry file outside the working directory is bundled too (cdk-esbuild takes entries inside its working directory only)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdp-entry-'));
  fs.writeFileSync(path.join(dir, 'outside.ts'), "import { S3Client } from '@aws-sdk/client-s3';\nexport const handler = async () => ({ where: 'outside', client: typeof S3Client });\n");
  expect(path.relative(process.cwd(), dir).startsWith('..')).toBe(true);
  const bundle = bundleOf(entryCode(path.join(dir, 'outside.ts')));
  expect(bundle).toContain('outside');
  expect(bundle).toContain('require("@aws-sdk/client-s3")');
});

test("the library's own handlers deploy their prebuilt bundles as they are", () => {
  for (const name of ['split-job', 'warmer'] as const) {
    expect(bundleOf(libraryHandlerCode(name))).toBe(fs.readFileSync(path.join(handlerBundlesDir(), name, 'index.js'), 'utf8'));
  }
});

test("the splitter's bundle loads ajv from a bundle of its own, only when a job has an item schema", () => {
  const dir = path.join(handlerBundlesDir(), 'split-job');
  const index = fs.readFileSync(path.join(dir, 'index.js'), 'utf8');
  expect(index).toContain('require("./item-schema")');
  expect(index).not.toContain('json-schema.org/draft-07/schema');
  expect(fs.readFileSync(path.join(dir, 'item-schema.js'), 'utf8')).toContain('json-schema.org/draft-07/schema');
  // The prebuilt bundle, as Lambda loads it: the schema check works from the separate file.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { compileItemSchema } = require(path.join(dir, 'index.js')) as typeof import('../../lambdas/split-job');
  const validate = compileItemSchema(JSON.stringify({ type: 'object', required: ['word'] }));
  expect([validate({ word: 'a' }), validate({})]).toEqual([true, false]);
});
