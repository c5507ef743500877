import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createExampleApp } from '../../examples/example-app';

/**
 * Synthesizes the example app once for the whole run (with cdk-nag and
 * CloudFormation validation: any finding fails the run here) and hands the
 * assembly directory to the test files through the environment.
 */
export default function globalSetup(): void {
  const assemblyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdp-assembly-'));
  createExampleApp({ outdir: assemblyDir }).synth();
  process.env.SDP_EXAMPLE_ASSEMBLY = assemblyDir;
}
