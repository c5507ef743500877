#!/usr/bin/env node
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { LocalRunner } from '../lib/local/local-runner';
import { buildTimeline, formatTimeline } from '../lib/local/timeline';
import { createExampleApp, EXAMPLE_STACKS, ExampleName } from './example-app';

const USAGE = `usage: npm start -- [<example>] [--input <file.json>] [--assembly <cdk.out>] [--state-machine <id>]

Synthesizes the example app and runs its workflow locally: the definition from the
cloud assembly, the functions' bundled code in-process, DynamoDB on an embedded dynalite.

  <example>            ${Object.keys(EXAMPLE_STACKS).join(', ')} (default: word-length)
  --input <file>       execution input (default: bin/inputs/<example>.json)
  --assembly <dir>     run an assembly synthesized before (e.g. by 'npx cdk synth') instead of synthesizing
  --state-machine <id> logical id or construct path part, when a stack has several

Prints the step timeline to stderr, then the output as one JSON line to stdout.
Exit status: 0 succeeded, 1 the execution failed, 2 the run could not start.`;

// stdout carries only the execution output; everything else, including the
// functions' own logs (Lambda would send those to CloudWatch), goes to stderr.
const writeOutput = process.stdout.write.bind(process.stdout);
process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'input': { type: 'string' },
      'assembly': { type: 'string' },
      'state-machine': { type: 'string' },
      'help': { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.error(USAGE);
    return 0;
  }
  const example = (positionals[0] ?? 'word-length') as ExampleName;
  if (!(example in EXAMPLE_STACKS)) throw new UsageError(`unknown example '${example}'`);

  const inputFile = values.input ?? path.join(__dirname, 'inputs', `${example}.json`);
  const input = readJson(inputFile);
  let assemblyDir = values.assembly;
  if (!assemblyDir) {
    assemblyDir = path.join(process.cwd(), 'cdk.out');
    createExampleApp({ outdir: assemblyDir }).synth();
  }

  const runner = await LocalRunner.start({ assemblyDir, stackName: EXAMPLE_STACKS[example] });
  try {
    const execution = await runner.execute({ stateMachine: values['state-machine'], input });
    console.error(formatTimeline(buildTimeline(execution.events)));
    if (execution.status !== 'SUCCEEDED') {
      console.error(`execution ${execution.status}: ${execution.error}\ncause: ${execution.cause}`);
      return 1;
    }
    writeOutput(`${JSON.stringify(execution.output)}\n`);
    return 0;
  } finally {
    await runner.stop();
  }
}

class UsageError extends Error {}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read --input ${file}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--input ${file} is not JSON: ${(error as Error).message}`);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    console.error(error instanceof UsageError ? `${error.message}\n\n${USAGE}` : `error: ${(error as Error).message}`);
    process.exit(2);
  },
);
