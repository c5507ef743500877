import * as fs from 'node:fs';
import * as path from 'node:path';
import { assemblyStateMachines, AssemblyStateMachine, selectStateMachines } from '../../diagram/assembly';
import { Bill, BILL_NOTES, estimateBill, formatBill } from '../../cost/bill';
import { PRICED_REGIONS, regionPrices } from '../../cost/prices';
import { itemFile, itemReaderOf, itemsPathOf, resizedInput, valueAt, withValueAt } from '../../cost/sample-input';
import type { SampleObject } from '../../cost/sample-run';
import { usageOf } from '../../cost/usage';
import { ASSEMBLY_OPTIONS, ASSEMBLY_SYNOPSIS, ASSEMBLY_USAGE, AssemblySource, assemblyDirOf, assemblySource } from './assembly-source';
import { AwsOptions, CommandDeps, CommandError, defineCommand, EXIT, Host, parseCommandLine, processHost, readJson, UsageError } from './command';
import { checkLocalEngines, DEFAULT_VISIBILITY_TIMEOUT_SECONDS, LOCAL_MAX_WAIT_SECONDS } from './run';

export interface CostOptions extends AwsOptions, AssemblySource {
  /** Part of the state machines' ids or logical ids. @default - every state machine of the app (of `stack`) */
  readonly pipeline?: string;
  /** The stack whose state machines are priced. @default - every stack */
  readonly stack?: string;
  /** Items to price. @default 1,000,000 */
  readonly items: number;
  /** Sample jobs: one input for the one pipeline priced (key `''`), or one per pipeline selector. */
  readonly inputs: ReadonlyMap<string, unknown>;
  /** The sample job's items file, put in the local S3 where the pipeline's Distributed Map reads it. @default - none */
  readonly put?: { readonly key: string; readonly text: string };
  /** Makes each sample job this many items long, repeating its items. @default - as the input is */
  readonly sample?: number;
  /** Items in the sample job, when they cannot be counted in its input. @default - counted */
  readonly sampleItems?: number;
  /** The region whose prices apply. @default us-east-1 */
  readonly region: string;
  /** One JSON document instead of the tables. @default false */
  readonly json: boolean;
}

export const DEFAULT_ITEMS = 1_000_000;
const DEFAULT_REGION = 'us-east-1';

export function parseCostArgs(args: readonly string[], host: Pick<Host, 'cwd'> = processHost()): CostOptions {
  const { values, positionals } = parseCommandLine({
    args: [...args],
    allowPositionals: true,
    options: {
      ...ASSEMBLY_OPTIONS,
      'stack': { type: 'string' },
      'items': { type: 'string' },
      'input': { type: 'string', multiple: true },
      'items-file': { type: 'string' },
      'sample': { type: 'string' },
      'sample-items': { type: 'string' },
      'region': { type: 'string' },
      'json': { type: 'boolean' },
      'help': { type: 'boolean', short: 'h' },
    },
  });
  if (positionals.length > 1) throw new UsageError(`cost takes at most one pipeline (got ${positionals.length})`);
  const region = values.region ?? DEFAULT_REGION;
  if (!PRICED_REGIONS.includes(region)) throw new UsageError(`--region ${region}: tools/cost/prices.json has prices for ${PRICED_REGIONS.join(', ')}`);
  if (!values.input?.length && values['items-file'] === undefined) {
    throw new UsageError('cost needs a sample job: --input <file.json> (or --input <pipeline>=<file.json> for each of several pipelines), or --items-file <key>=<items file>');
  }
  const inputs = new Map<string, unknown>();
  for (const spec of values.input ?? []) {
    const [selector, file] = spec.includes('=') ? [spec.slice(0, spec.indexOf('=')), spec.slice(spec.indexOf('=') + 1)] : ['', spec];
    if (inputs.has(selector)) throw new UsageError(selector ? `--input ${selector}=...: given twice` : '--input <file> given twice; give --input <pipeline>=<file.json> for each pipeline');
    inputs.set(selector, readJson(file, '--input', host.cwd));
  }
  if (inputs.has('') && inputs.size > 1) throw new UsageError('give --input <file.json> for one pipeline, or --input <pipeline>=<file.json> for each, not both');
  if (values['items-file'] !== undefined && inputs.size > 1) throw new UsageError('--items-file holds the items of one pipeline\'s sample job: give at most one --input with it');
  const put = values['items-file'] === undefined ? undefined : putSpec(values['items-file'], host.cwd);
  return {
    pipeline: positionals[0],
    stack: values.stack,
    items: wholeNumber(values.items, '--items', 1) ?? DEFAULT_ITEMS,
    inputs: values['items-file'] !== undefined && inputs.size === 0 ? new Map([['', undefined]]) : inputs,
    put,
    sample: wholeNumber(values.sample, '--sample', 1),
    sampleItems: wholeNumber(values['sample-items'], '--sample-items', 1),
    region,
    json: values.json ?? false,
    ...assemblySource(values),
  };
}

/** `--items-file <key>=<file>`: the object key and the file's text, read now so that a missing file is a usage error. */
function putSpec(spec: string, cwd: string): { key: string; text: string } {
  const at = spec.indexOf('=');
  if (at <= 0 || at === spec.length - 1) throw new UsageError(`--items-file must be <key>=<items file> (got '${spec}')`);
  const file = spec.slice(at + 1);
  try {
    return { key: spec.slice(0, at), text: fs.readFileSync(path.resolve(cwd, file), 'utf8') };
  } catch (error) {
    throw new UsageError(`cannot read --items-file ${file}: ${(error as Error).message}`);
  }
}

/** A whole number of at least `min` given as `option` (`1000000`, `1_000_000` or `1e6`); undefined when not given. */
function wholeNumber(value: string | undefined, option: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value.replace(/[_,]/g, ''));
  if (value.trim() === '' || !Number.isSafeInteger(number) || number < min) throw new UsageError(`${option} must be a whole number >= ${min} (got '${value}')`);
  return number;
}

/**
 * Prices running `items` items through each chosen pipeline: runs its sample job locally with the requests metered,
 * turns what the run used into billed quantities, scales them to the items and prices them. Prints a table per
 * pipeline (or, with `--json`, one document); exit status 1 when a sample run failed (its bill is left out).
 */
export async function cost(options: CostOptions, deps: CommandDeps): Promise<number> {
  checkLocalEngines(deps.host ?? processHost(), 'cost');
  const prices = regionPrices(options.region);
  const unchecked = Object.entries(prices.prices).filter(([, price]) => price.checked === false).map(([id]) => id);
  if (unchecked.length > 0) {
    deps.stderr.write(`note: ${unchecked.length} prices of ${prices.region} could not be checked (${unchecked.join(', ')}): `
      + 'tools/cost/prices.json holds AWS\'s last known figures for them; verify them on the pricing pages it names\n');
  }
  const assemblyDir = await assemblyDirOf(options, deps);
  const machines = choosePipelines(assemblyStateMachines(assemblyDir), options);
  const bills: Bill[] = [];
  let failed = false;
  for (const machine of machines) {
    const sample = sampleJob(machine, options);
    deps.stderr.write(`running a sample of ${sample.items} item(s) of ${machine.id} locally\n`);
    // Loaded only now: the local engines are optional peers.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { runSample } = require('../../cost/sample-run') as typeof import('../../cost/sample-run');
    const outcome = await runSample({
      assemblyDir, stackName: machine.stackName, logicalId: machine.logicalId, id: machine.id, input: sample.input, items: sample.items, objects: sample.objects,
      maxWaitSeconds: LOCAL_MAX_WAIT_SECONDS, visibilityTimeoutSeconds: DEFAULT_VISIBILITY_TIMEOUT_SECONDS,
    });
    if (outcome.status !== 'SUCCEEDED') {
      deps.stderr.write(`the sample execution of ${machine.id} ${outcome.status}: ${outcome.error ?? ''} ${outcome.cause ?? ''}\n`
        + 'no bill for it: the bill of a failed run would price the failure, not the job\n');
      failed = true;
      continue;
    }
    bills.push(estimateBill(machine.id, usageOf(outcome.facts, outcome.run, prices.assumptions), sample.items, options.items, prices));
  }
  if (options.json) {
    deps.stdout.write(`${JSON.stringify({ region: prices.region, pricesDate: prices.date, items: options.items, pipelines: bills, notes: BILL_NOTES })}\n`);
  } else {
    deps.stdout.write(`${[...bills.map((bill) => formatBill(bill, prices.name)), BILL_NOTES.map((n) => `- ${n}`).join('\n')].join('\n\n')}\n`);
  }
  return failed ? EXIT.failed : EXIT.succeeded;
}

/** The state machines to price: those matching `pipeline` (and `stack`); each needs a sample job. */
function choosePipelines(machines: AssemblyStateMachine[], options: CostOptions): AssemblyStateMachine[] {
  let chosen = options.stack === undefined ? machines : machines.filter((m) => m.stackName === options.stack);
  if (chosen.length === 0) throw new CommandError(options.stack === undefined ? 'the app has no state machine' : `no state machine in a stack '${options.stack}'`);
  try {
    chosen = selectStateMachines(chosen, options.pipeline);
  } catch (error) {
    throw new CommandError((error as Error).message, { cause: error });
  }
  if (options.inputs.has('') && chosen.length > 1) {
    throw new CommandError(`${chosen.length} pipelines match (${chosen.map((m) => m.id).join(', ')}): name one, or give --input <pipeline>=<file.json> for each`);
  }
  return chosen;
}

/**
 * The sample job of a pipeline: its input (resized with `--sample`) and the items it holds; with `--items-file`, the items
 * file put where its Distributed Map reads (resized with `--sample`), the input naming its key.
 */
function sampleJob(machine: AssemblyStateMachine, options: CostOptions): { input: unknown; items: number; objects?: SampleObject[] } {
  const selector = options.inputs.has('') ? '' : [...options.inputs.keys()].find((s) => machine.id.includes(s) || machine.logicalId.includes(s));
  if (selector === undefined) throw new CommandError(`no --input for ${machine.id}: give --input ${machine.id}=<file.json>`);
  let input = options.inputs.get(selector);
  if (options.put) {
    const reader = itemReaderOf(machine.definition as { States?: Record<string, any> });
    if (!reader?.bucket) throw new CommandError(`--items-file: ${machine.id} has no Distributed Map that reads its items from a bucket`);
    // A listing's items are objects: one file would be one item, and the sample's size would be wrong.
    if (reader.listing) throw new CommandError(`--items-file: the Distributed Map of ${machine.id} lists the objects under a prefix; put a sample of objects there instead`);
    const file = itemFile(options.put.key, options.put.text, options.sample);
    if (reader.keyPath && /^\$(\.[A-Za-z_]\w*)+$/.test(reader.keyPath)) input = withValueAt(input ?? {}, reader.keyPath, file.key);
    return { input: input ?? {}, items: options.sampleItems ?? file.items, objects: [{ bucket: reader.bucket, key: file.key, body: file.body }] };
  }
  const itemsPath = itemsPathOf(machine.definition as { States?: Record<string, any> }, input);
  if (options.sample !== undefined) {
    if (!itemsPath) throw new CommandError(`--sample: cannot find the items in the input of ${machine.id} (no array at a Map's ItemsPath, at items, or alone in the input)`);
    input = resizedInput(input, itemsPath, options.sample);
  }
  const counted = itemsPath ? (valueAt(input, itemsPath) as unknown[]).length : undefined;
  const items = options.sampleItems ?? counted;
  if (!items) {
    throw new CommandError(`cannot count the items of the sample job of ${machine.id} (no array at a Map's ItemsPath, at items, or alone in the input): `
      + 'give --sample-items <n>');
  }
  return { input, items };
}

export const costCommand = defineCommand({
  synopsis: `cost [<pipeline>] --input [<pipeline>=]<file.json> ... [--items-file <key>=<items file>] [--items <n>] [--sample <n>] [--sample-items <n>] [--region <region>] `
    + `[--stack <name>] ${ASSEMBLY_SYNOPSIS} [--json]`,
  description: [
    'Estimates the AWS bill of running N items through each pipeline (state machine) of the app, line by line: Step Functions,',
    'Lambda, SNS, SQS, DynamoDB, S3, CloudWatch Logs, X-Ray. The counts come from the synthesized definitions and from a',
    'local run of a sample job (its requests metered, its functions timed), scaled linearly to N items; the prices from',
    'tools/cost/prices.json (its date and source pages are printed with --json). Free tiers are ignored.',
    '  <pipeline>           part of the state machines\' <stack>/<construct> paths or logical ids (default: all)',
    '  --input [<pipeline>=]<file>  the sample job: the execution input; one per pipeline when several are priced',
    '  --items-file <key>=<file> the sample job\'s items file (JSON array, JSON Lines or CSV), put at <key> in the local bucket',
    '                       the pipeline\'s Distributed Map reads from; the input (default {}) gets the key where the',
    '                       reader takes it from (e.g. $.itemsKey)',
    `  --items <n>          items to price (default ${DEFAULT_ITEMS.toLocaleString('en-US')}; 1e6 and 1_000_000 are read too)`,
    '  --sample <n>         make the sample job n items long, repeating its items (found at a Map\'s ItemsPath, at',
    '                       items, or as the input\'s only array); a larger sample spreads a job\'s fixed costs',
    '  --sample-items <n>   the items the sample job holds, when they are not an array of its input',
    `  --region <region>    whose prices (default ${DEFAULT_REGION}; priced: ${PRICED_REGIONS.join(', ')})`,
    '  --stack <name>       price the state machines of this stack only',
    ASSEMBLY_USAGE,
    '  --json               print { region, pricesDate, items, pipelines: [{ pipeline, items, sampleItems, scale, lines,',
    '                       totalUsd, perMillionItemsUsd, byService }], notes } as one JSON document',
    '',
    'Result (stdout): a table per pipeline (line, count, unit price, cost), its total and its cost per million items.',
    'Exit status: 0 every pipeline priced; 1 a sample execution failed (no bill for it); 2 the command could not run.',
  ].join('\n'),
  needsAws: false,
  parse: parseCostArgs,
  run: cost,
});
