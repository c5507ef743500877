import priceFile from './prices.json';

/** What `sdp cost` prices: one entry per billing dimension of prices.json. */
export type PriceId = keyof typeof priceFile.regions['us-east-1']['prices'];

/** A unit price and where it comes from. */
export interface Price {
  /** USD per unit. */
  readonly usd: number;
  /** What one unit is: `state transition`, `GB-second (arm64)`... */
  readonly unit: string;
  /** The AWS pricing page the price is from. */
  readonly source: string;
  /** What the price was checked against on `date`, or false when it could not be checked. */
  readonly checked: string | false;
}

/** The prices of one region, and the assumptions the estimate makes where AWS bills what a local run cannot measure. */
export interface RegionPrices {
  readonly region: string;
  readonly name: string;
  /** When the prices were checked (YYYY-MM-DD). */
  readonly date: string;
  readonly prices: Readonly<Record<PriceId, Price>>;
  readonly assumptions: Assumptions;
}

export interface Assumptions {
  /** Share of traces X-Ray records (the default sampling rule's fixed rate). */
  readonly xraySampledFraction: number;
  /** Memory an Express execution is billed for, in MB. */
  readonly expressMemoryMb: number;
  /** Bytes Lambda logs per invocation by itself (START/END/REPORT). */
  readonly lambdaPlatformLogBytesPerInvocation: number;
  /** Bytes CloudWatch Logs adds to each log event's size. */
  readonly cloudWatchLogsEventOverheadBytes: number;
}

/** The regions prices.json has prices for. */
export const PRICED_REGIONS = Object.keys(priceFile.regions);

/** The prices of `region` from prices.json; an error naming the regions there are when it has none. */
export function regionPrices(region: string): RegionPrices {
  const entry = (priceFile.regions as Record<string, { name: string; prices: Record<PriceId, Price> }>)[region];
  if (!entry) throw new Error(`no prices for region '${region}' in tools/cost/prices.json (regions: ${PRICED_REGIONS.join(', ')})`);
  const a = priceFile.assumptions;
  return {
    region,
    name: entry.name,
    date: priceFile.date,
    prices: entry.prices,
    assumptions: {
      xraySampledFraction: a.xraySampledFraction.value,
      expressMemoryMb: a.expressMemoryMb.value,
      lambdaPlatformLogBytesPerInvocation: a.lambdaPlatformLogBytesPerInvocation.value,
      cloudWatchLogsEventOverheadBytes: a.cloudWatchLogsEventOverheadBytes.value,
    },
  };
}
