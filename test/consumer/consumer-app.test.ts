import { spawnSync, SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
const { isBuildCurrent } = require('../../scripts/build-stamp.js') as { isBuildCurrent(): boolean };

/**
 * The library as another team gets it: packed, installed into a fresh CDK app of
 * their own (test/fixtures/consumer-app), type-checked by the app's own tsc,
 * synthesized by the CDK CLI through the standard `npx ts-node --prefer-ts-exts bin/app.ts`,
 * and run locally by the installed `sdp`. Then the same app with the library
 * installed by path. Every install is `--prefer-offline`: after `npm ci` npm's
 * cache holds every package these need.
 */

// Installs, type-checks and synthesizes for real: minutes, not the suite's default minute.
jest.setTimeout(240_000);

const root = path.join(__dirname, '..', '..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sdp-consumer-'));
const app = path.join(work, 'app');
const packageJson = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const installed = (name: string): string => JSON.parse(fs.readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8')).version;

/** The engines and SDK clients `sdp run` asks for: the optional peers, at this repository's versions so the cache has them. */
const LOCAL_RUN_PEERS = Object.keys(packageJson.peerDependenciesMeta);

// Nested npm commands must not inherit the outer `npm test`'s package context.
const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_(config|package|lifecycle)_/i.test(key)));
Object.assign(env, { CDK_DISABLE_CLI_TELEMETRY: 'true', POWERTOOLS_LOG_LEVEL: 'WARN' });

function run(command: string, args: string[], cwd = app): SpawnSyncReturns<string> {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw result.error;
  return result;
}

function succeed(command: string, args: string[], cwd = app): string {
  const result = run(command, args, cwd);
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}:\n${result.stderr}\n${result.stdout}`);
  return result.stdout;
}

const npmInstall = (...args: string[]) => succeed('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', ...args]);
const template = (stack: string) => JSON.parse(fs.readFileSync(path.join(app, 'cdk.out', `${stack}.template.json`), 'utf8'));
const resourcesOf = (t: any, type: string) => Object.values<any>(t.Resources).filter((r) => r.Type === type);
const assetDir = (resource: any) => path.join(app, 'cdk.out', resource.Metadata['aws:asset:path']);

let tarball: string;
let tarballFiles: string[];

beforeAll(() => {
  // `npm ci` built dist/ (`prepare`); built again only if the sources changed since.
  if (!isBuildCurrent()) succeed('npm', ['run', 'build'], root);
  const [packed] = JSON.parse(succeed('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], root));
  tarball = path.join(work, packed.filename);
  tarballFiles = packed.files.map((f: { path: string }) => f.path);

  fs.cpSync(path.join(root, 'test', 'fixtures', 'consumer-app'), app, { recursive: true });
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({
    name: 'consumer-app',
    version: '0.0.0',
    private: true,
    dependencies: { 'aws-cdk-lib': installed('aws-cdk-lib'), 'constructs': installed('constructs') },
    devDependencies: { 'aws-cdk': installed('aws-cdk'), 'typescript': installed('typescript'), 'ts-node': installed('ts-node') },
  }, null, 2));
  npmInstall(tarball);
});

afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe('the package', () => {
  test('holds the compiled library with types, the prebuilt handlers, README and LICENSE; no sources, tests, bench, example or CI files', () => {
    expect(tarballFiles).toEqual(expect.arrayContaining([
      'LICENSE', 'README.md', 'package.json',
      'dist/lib/index.js', 'dist/lib/index.d.ts',
      'dist/handlers/index.js', 'dist/handlers/index.d.ts',
      'dist/tools/local/index.js', 'dist/tools/local/index.d.ts',
      'dist/tools/cli/sdp.js',
      'dist/handler-bundles/split-job/index.js', 'dist/handler-bundles/warmer/index.js',
    ]));
    const outside = tarballFiles.filter((file) => !/^(LICENSE|README\.md|package\.json)$/.test(file) && !/^dist\/(lib|handlers|tools|handler-bundles)\//.test(file));
    expect(outside).toEqual([]);
    expect(tarballFiles.filter((file) => /(^|\/)(test|bench|examples|scripts|\.ci)\/|\.ts$/.test(file) && !file.endsWith('.d.ts'))).toEqual([]);
  });

  test('its type declarations import only Node, its dependencies and its peers', () => {
    const allowed = new Set([...Object.keys(packageJson.dependencies), ...Object.keys(packageJson.peerDependencies)]);
    const dist = path.join(app, 'node_modules', 'serverless-distributed-processing', 'dist');
    const imported = new Set<string>();
    for (const file of fs.readdirSync(dist, { recursive: true }) as string[]) {
      if (!file.endsWith('.d.ts')) continue;
      for (const [, specifier] of fs.readFileSync(path.join(dist, file), 'utf8').matchAll(/(?:from|import)\s*\(?\s*'([^'.][^']*)'/g)) {
        imported.add(specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]);
      }
    }
    expect([...imported].filter((name) => !name.startsWith('node:') && !allowed.has(name))).toEqual([]);
    expect(imported).toContain('aws-cdk-lib');
  });

  test('a plain install brings none of the local engines', () => {
    for (const name of ['aws-local-stepfunctions', 'dynalite', 'fauxqs', '@aws-sdk/client-sqs']) {
      expect(fs.existsSync(path.join(app, 'node_modules', name))).toBe(false);
    }
    // One copy of the CDK: the app's.
    expect(fs.existsSync(path.join(app, 'node_modules', 'serverless-distributed-processing', 'node_modules', 'aws-cdk-lib'))).toBe(false);
  });
});

describe('an app that installed the tarball', () => {
  test('type-checks with its own tsc, no extra @types packages', () => {
    expect(run('npx', ['tsc', '--noEmit'])).toMatchObject({ status: 0, stdout: '' });
  });

  test('synthesizes with the CDK CLI through ts-node: the library\'s prebuilt handlers and the app\'s own, bundled in-process', () => {
    succeed('npx', ['cdk', 'synth', '--quiet', '--no-version-reporting']);
    const numbers = template('Numbers');
    expect(resourcesOf(numbers, 'AWS::StepFunctions::StateMachine')).toHaveLength(1);
    const functions = [...resourcesOf(numbers, 'AWS::Lambda::Function'), ...resourcesOf(template('Jobs'), 'AWS::Lambda::Function')]
      .filter((fn) => fn.Metadata?.['aws:asset:path']);
    expect(functions.map((fn) => fn.Properties.Runtime)).toEqual(functions.map(() => 'nodejs24.x'));
    const bundles = functions.map((fn) => fs.readFileSync(path.join(assetDir(fn), 'index.js'), 'utf8'));

    // The splitter and the warmer are the package's prebuilt bundles, byte for byte.
    const prebuilt = ['split-job', 'warmer'].map((name) =>
      fs.readFileSync(path.join(app, 'node_modules', 'serverless-distributed-processing', 'dist', 'handler-bundles', name, 'index.js'), 'utf8'));
    for (const bundle of prebuilt) expect(bundles).toContain(bundle);

    // The app's three handlers, bundled with withWarmUp from the package's './handlers' entry (the worker with
    // ChunkWorker, whose DynamoDB client is left to the Lambda runtime) and its errors.
    const own = bundles.filter((bundle) => !prebuilt.includes(bundle));
    expect(own).toHaveLength(3);
    expect(own.some((bundle) => bundle.includes('require("@aws-sdk/client-dynamodb")'))).toBe(true);
    expect(own.some((bundle) => bundle.includes('NotANumberError'))).toBe(true);
    for (const bundle of own) expect(bundle).toContain('sdp-warmer');
  });

  test('runs its workflow locally with the installed sdp once the optional peers are installed', () => {
    const missing = run('npx', ['sdp', 'run', 'Doubling', '--assembly', 'cdk.out', '--input', 'input.json']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('npm install -D');

    npmInstall('-D', ...LOCAL_RUN_PEERS.map((name) => `${name}@${installed(name)}`));
    const result = run('npx', ['sdp', 'run', 'Doubling', '--assembly', 'cdk.out', '--input', 'input.json']);
    expect({ status: result.status, stderr: result.status === 0 ? '' : result.stderr }).toEqual({ status: 0, stderr: '' });
    expect(result.stdout.trim().split('\n').pop()).toBe('{"total":20}');
  });

  test('runs a fan-out job locally: its worker, written with ChunkWorker, accounts for every item; an invalid one fails alone', () => {
    const items = Array.from({ length: 30 }, (_, i) => (i === 7 ? { n: 'seven' } : { n: i }));
    fs.writeFileSync(path.join(app, 'job.json'), JSON.stringify({ items }));
    const result = run('npx', ['sdp', 'run', 'RunJob', '--assembly', 'cdk.out', '--input', 'job.json', '--name', 'job-1', '--json']);
    expect(result.status).toBe(1);
    const doc = JSON.parse(result.stdout.trim().split('\n').pop()!);
    expect(doc).toMatchObject({ status: 'FAILED', error: 'JobItemsFailed', jobs: { 'job-1': { items: 30, stored: 29, failed: 1, deadLettered: 0 } } });
    expect(result.stderr).toContain('job job-1: 30 items, 29 stored, 1 failed, 0 dead-lettered: reconciled');
    expect(result.stderr).toContain('items[7].n must be a number (got {"n":"seven"})');
  });

  test('a plain JavaScript app loads each entry', () => {
    const entries = ['serverless-distributed-processing', 'serverless-distributed-processing/handlers', 'serverless-distributed-processing/local'];
    const script = `for (const e of ${JSON.stringify(entries)}) console.log(e, Object.keys(require(e)).length > 0);`;
    expect(succeed('node', ['-e', script]).trim().split('\n')).toEqual(entries.map((e) => `${e} true`));
  });
});

describe('the same app with the library installed by path', () => {
  let tarballTemplates: Record<string, unknown>;
  beforeAll(() => {
    tarballTemplates = { Numbers: template('Numbers'), Jobs: template('Jobs') };
    npmInstall(root);
  });

  test('synthesizes the same templates, but for the asset hashes of the bundles that now come through a link', () => {
    expect(fs.lstatSync(path.join(app, 'node_modules', 'serverless-distributed-processing')).isSymbolicLink()).toBe(true);
    succeed('npx', ['cdk', 'synth', '--quiet', '--no-version-reporting']);
    const withoutHashes = (value: unknown) => JSON.parse(JSON.stringify(value).replace(/[0-9a-f]{64}/g, '<hash>'));
    for (const stack of ['Numbers', 'Jobs']) expect(withoutHashes(template(stack))).toEqual(withoutHashes(tarballTemplates[stack]));
  });
});
