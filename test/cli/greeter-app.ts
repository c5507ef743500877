import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Host } from '../../tools/cli/commands/command';

/**
 * A CDK app in miniature, in a directory of its own: `node app.js` writes, as a CDK app does, a cloud
 * assembly into $CDK_OUTDIR — one stack, `Greetings`, whose state machine passes out what the context
 * gave it — and appends a line to `.count/synths` each time it runs, so a test can count the synths
 * (in a dot-directory, which the synth cache's fingerprint leaves out).
 */
export function greeterApp(options: { cdkJson?: boolean } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdp-greeter-'));
  fs.writeFileSync(path.join(dir, 'app.js'), APP);
  if (options.cdkJson ?? true) {
    fs.writeFileSync(path.join(dir, 'cdk.json'), JSON.stringify({ app: 'node app.js', context: { greeting: 'hello' } }));
    fs.writeFileSync(path.join(dir, 'cdk.context.json'), JSON.stringify({ greeting: 'overridden by cdk.json', region: 'local' }));
  }
  const host: Host = { cwd: dir, env: process.env, nodeVersion: process.versions.node, hasPackage: () => true };
  const log = path.join(dir, '.count', 'synths');
  const synths = () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').length - 1 : 0);
  return { dir, host, synths, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

const APP = `const fs = require('node:fs');
const path = require('node:path');
fs.mkdirSync(path.join(__dirname, '.count'), { recursive: true });
fs.appendFileSync(path.join(__dirname, '.count', 'synths'), 'synth\\n');
const outdir = process.env.CDK_OUTDIR;
const context = JSON.parse(process.env.CDK_CONTEXT_JSON || '{}');
console.log('greeter app: synthesizing');
const definition = {
  StartAt: 'Greet',
  States: { Greet: { Type: 'Pass', Result: { greeting: context.greeting, region: context.region, pathMetadata: context['aws:cdk:enable-path-metadata'] }, End: true } },
};
const template = {
  Resources: {
    GreeterStateMachine1A2B3C4D: {
      Type: 'AWS::StepFunctions::StateMachine',
      Properties: { DefinitionString: JSON.stringify(definition) },
      Metadata: { 'aws:cdk:path': 'Greetings/Greeter/StateMachine/Resource' },
    },
  },
};
fs.mkdirSync(outdir, { recursive: true });
fs.writeFileSync(path.join(outdir, 'Greetings.template.json'), JSON.stringify(template));
fs.writeFileSync(path.join(outdir, 'manifest.json'), JSON.stringify({
  version: '48.0.0',
  artifacts: { Greetings: { type: 'aws:cloudformation:stack', properties: { templateFile: 'Greetings.template.json' } } },
}));
`;
