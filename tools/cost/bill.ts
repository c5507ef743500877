import type { RegionPrices } from './prices';
import { SERVICES, Service, UsageLine } from './usage';

/** One line of a bill: a quantity scaled to the items asked for, its unit price and its cost. */
export interface BillLine {
  readonly service: Service;
  readonly what: string;
  /** The quantity for all the items, in the price's unit. */
  readonly quantity: number;
  readonly unit: string;
  readonly unitPriceUsd: number;
  readonly costUsd: number;
  readonly basis: UsageLine['basis'];
}

/** What running `items` items through a pipeline costs, by the sample's usage scaled linearly. */
export interface Bill {
  readonly pipeline: string;
  readonly region: string;
  /** When the prices were checked. */
  readonly pricesDate: string;
  readonly items: number;
  /** Items of the sample job run locally. */
  readonly sampleItems: number;
  /** `items / sampleItems`: every counted quantity of the sample is multiplied by it. */
  readonly scale: number;
  /** Lines by service (in {@link SERVICES} order), the costliest first within a service. */
  readonly lines: readonly BillLine[];
  readonly totalUsd: number;
  readonly perMillionItemsUsd: number;
  /** Each service's share of the total. */
  readonly byService: Readonly<Partial<Record<Service, number>>>;
}

/**
 * The bill of `items` items: each usage line of a sample run of `sampleItems` items scaled by `items / sampleItems`
 * (N items run as N / sampleItems jobs the size of the sample) and priced. Free tiers are ignored.
 */
export function estimateBill(pipeline: string, usage: readonly UsageLine[], sampleItems: number, items: number, prices: RegionPrices): Bill {
  if (!(sampleItems > 0)) throw new Error(`the sample must hold at least one item (got ${sampleItems})`);
  const scale = items / sampleItems;
  const lines = usage.map((u): BillLine => {
    const price = prices.prices[u.price];
    const quantity = u.quantity * scale;
    return { service: u.service, what: u.what, quantity, unit: price.unit, unitPriceUsd: price.usd, costUsd: quantity * price.usd, basis: u.basis };
  }).sort((a, b) => SERVICES.indexOf(a.service) - SERVICES.indexOf(b.service) || b.costUsd - a.costUsd);
  const totalUsd = lines.reduce((total, line) => total + line.costUsd, 0);
  const byService: Partial<Record<Service, number>> = {};
  for (const line of lines) byService[line.service] = (byService[line.service] ?? 0) + line.costUsd;
  return {
    pipeline, region: prices.region, pricesDate: prices.date, items, sampleItems, scale, lines, totalUsd,
    perMillionItemsUsd: items > 0 ? (totalUsd / items) * 1_000_000 : 0, byService,
  };
}

/** What every bill's reader must know, printed under the tables and kept in the JSON document. */
export const BILL_NOTES = [
  'Free tiers are ignored, and so are storage (DynamoDB, S3, logs retained), data transfer, alarms, dashboards and the fixed monthly costs of idle resources (Lambda\'s SQS pollers long-poll an empty queue about 3 times a minute each).',
  'Counts come from a local run of the sample job, scaled linearly: N items are counted as N / (sample items) jobs of the sample\'s size, so a job\'s fixed costs (its execution, its reduce) are counted per sample-sized job.',
  'Lambda durations are measured on this machine (rounded up to 1 ms per invocation, init included), not on Lambda\'s; SQS receives that found no message (the local poller does not wait) are not counted; Step Functions Wait states were shortened locally, so a polling loop runs more often than on AWS.',
  'Express executions are counted at 64 MB; X-Ray at its default sampling of 5 %; Lambda\'s own log lines at about 400 bytes per invocation.',
];

/** A bill as the text table `sdp cost` prints: one line per billed quantity, the total and the cost per million items. */
export function formatBill(bill: Bill, regionName: string): string {
  const rows = bill.lines.map((line) => [`${line.service} ${line.what}${line.basis === 'estimated' ? ' *' : ''}`, count(line.quantity), `$${price(line.unitPriceUsd)} / ${line.unit}`, usd(line.costUsd)]);
  const header = ['line', 'count', 'unit price', 'cost'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const format = (cells: string[]) => cells.map((c, i) => (i === 0 || i === 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  const rule = '-'.repeat(widths.reduce((a, b) => a + b + 2, -2));
  return [
    `${bill.pipeline}: ${count(bill.items)} items, ${regionName} (${bill.region}) prices of ${bill.pricesDate}`,
    `sample: ${count(bill.sampleItems)} items run locally, every count scaled x ${count(bill.scale)}`,
    format(header),
    rule,
    ...rows.map(format),
    rule,
    format(['total', '', '', usd(bill.totalUsd)]),
    format(['per million items', '', '', usd(bill.perMillionItemsUsd)]),
    '* estimated, not measured (the line says how)',
  ].join('\n');
}

function count(n: number): string {
  if (n === 0) return '0';
  if (Math.abs(n) >= 100) return Math.round(n).toLocaleString('en-US');
  return Number(n.toPrecision(4)).toLocaleString('en-US', { maximumSignificantDigits: 4 });
}

/** A unit price in plain decimals (0.0000002, not 2e-7). */
function price(usdPerUnit: number): string {
  return usdPerUnit.toFixed(12).replace(/\.?0+$/, '');
}

/** Dollars: cents from $1 up, three significant digits below, never in exponent notation. */
function usd(n: number): string {
  if (n === 0) return '$0';
  if (n >= 1) return `$${n.toFixed(2)}`;
  const digits = Math.min(12, 2 - Math.floor(Math.log10(n)));
  return `$${n.toFixed(digits)}`;
}
