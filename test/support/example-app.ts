import * as fs from 'node:fs';
import * as path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';

/** A cloud assembly of the example app: its directory, and its templates read as the local run reads them. */
export interface ExampleAssembly {
  readonly assemblyDir: string;
  readonly template: (stackName: string) => Template;
}

/**
 * The example app's cloud assembly, synthesized once per `npm test` run by
 * global-setup.ts; the templates are read from it as the local run reads them.
 */
export function exampleAssembly(): ExampleAssembly {
  const assemblyDir = process.env.SDP_EXAMPLE_ASSEMBLY;
  if (!assemblyDir) throw new Error('SDP_EXAMPLE_ASSEMBLY is not set: run the tests through jest.config.js (npm test)');
  return assemblyIn(assemblyDir);
}

/** The assembly in `assemblyDir`. */
export function assemblyIn(assemblyDir: string): ExampleAssembly {
  return {
    assemblyDir,
    template: (stackName) => Template.fromJSON(JSON.parse(fs.readFileSync(path.join(assemblyDir, `${stackName}.template.json`), 'utf8'))),
  };
}
