import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig, register } from 'tsconfig-paths';
import { quietBundling } from './quiet-bundling';

const root = path.join(__dirname, '..', '..');

/**
 * Once for the whole run: bundles the library's own handlers from their sources
 * (as `npm run build` does), so no test runs a stale bundle; then synthesizes the
 * example app, with its workflows in JSONPath and in JSONata (with cdk-nag and CloudFormation validation: any finding
 * fails the run here), and hands the assembly directories to the test files through the environment.
 */
export default function globalSetup(): void {
  execFileSync(process.execPath, [path.join(root, 'scripts', 'build-handler-bundles.js')], { stdio: 'inherit' });
  quietBundling();
  // The example app imports the package by name, as users do: from the sources here, as jest's moduleNameMapper does for tests.
  const config = loadConfig(root);
  if (config.resultType === 'failed') throw new Error(`tsconfig.json: ${config.message}`);
  register({ baseUrl: config.absoluteBaseUrl, paths: config.paths });
  const { createExampleApp } = require('../../examples/example-app') as typeof import('../../examples/example-app');
  const assemblyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdp-assembly-'));
  createExampleApp({ outdir: assemblyDir }).synth();
  process.env.SDP_EXAMPLE_ASSEMBLY = assemblyDir;
  const { QueryLanguage } = require('aws-cdk-lib/aws-stepfunctions') as typeof import('aws-cdk-lib/aws-stepfunctions');
  const jsonataAssemblyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdp-jsonata-assembly-'));
  createExampleApp({ outdir: jsonataAssemblyDir, queryLanguage: QueryLanguage.JSONATA }).synth();
  process.env.SDP_JSONATA_EXAMPLE_ASSEMBLY = jsonataAssemblyDir;
}
