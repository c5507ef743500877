import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { createExampleApp } from '../../bin/example-app';

/** The example app synthesized once into a temporary assembly directory (call it once per test file). */
export function synthesizeExampleApp(): { app: App; assemblyDir: string; template: (stackName: string) => Template } {
  const assemblyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdp-assembly-'));
  const app = createExampleApp({ outdir: assemblyDir });
  const assembly = app.synth();
  return {
    app,
    assemblyDir,
    template: (stackName) => Template.fromJSON(assembly.getStackByName(stackName).template),
  };
}
