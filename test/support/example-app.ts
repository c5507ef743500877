import * as fs from 'node:fs';
import * as path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';

/**
 * The example app's cloud assembly, synthesized once per `npm test` run by
 * global-setup.ts; the templates are read from it as the local run reads them.
 */
export function exampleAssembly(): { assemblyDir: string; template: (stackName: string) => Template } {
  const assemblyDir = process.env.SDP_EXAMPLE_ASSEMBLY;
  if (!assemblyDir) throw new Error('SDP_EXAMPLE_ASSEMBLY is not set: run the tests through jest.config.js (npm test)');
  return {
    assemblyDir,
    template: (stackName) => Template.fromJSON(JSON.parse(fs.readFileSync(path.join(assemblyDir, `${stackName}.template.json`), 'utf8'))),
  };
}
