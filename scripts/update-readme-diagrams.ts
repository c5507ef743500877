#!/usr/bin/env node
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { assemblyStateMachines, stateMachineDiagram } from '../tools/diagram/assembly';
import { diagramBlock, updateReadmeDiagrams } from '../tools/diagram/readme';
import { createExampleApp } from '../examples/example-app';

const USAGE = `usage: npm run diagrams -- [--readme <file>] [--assembly <cdk.out>]

Rewrites the Mermaid block between <!-- diagram: <id> --> and <!-- /diagram --> of each
example state machine in the README (default README.md) from the example app, synthesized
into a temporary directory unless --assembly names one. A state machine without markers is
printed with its markers, to be pasted where it belongs; the exit status is then 1.`;

function main(argv: string[]): number {
  const { values } = parseArgs({ args: argv, options: { readme: { type: 'string' }, assembly: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    console.error(USAGE);
    return 0;
  }
  const readme = values.readme ?? path.join(__dirname, '..', 'README.md');
  const diagrams = new Map(readMachines(values.assembly).map((m) => [m.id, stateMachineDiagram(m)]));

  const before = fs.readFileSync(readme, 'utf8');
  const { text, missing, unknown } = updateReadmeDiagrams(before, diagrams);
  if (text !== before) fs.writeFileSync(readme, text);
  console.error(`${readme}: ${text === before ? 'no diagram changed' : 'diagrams rewritten'}`);
  for (const id of unknown) console.error(`warning: ${readme} has a diagram of '${id}', which the app does not have; left as it is`);
  if (missing.length === 0) return 0;
  console.error(`${readme} has no markers for ${missing.join(', ')}; paste these where they belong:\n`);
  console.log(missing.map((id) => diagramBlock(id, diagrams.get(id)!)).join('\n\n'));
  return 1;
}

function readMachines(assemblyDir?: string) {
  if (assemblyDir) return assemblyStateMachines(assemblyDir);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdp-diagrams-'));
  try {
    createExampleApp({ outdir: dir }).synth();
    return assemblyStateMachines(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  console.error(`error: ${(error as Error).message}\n\n${USAGE}`);
  process.exitCode = 2;
}
