import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { withWarmUp } from 'serverless-distributed-processing/handlers';
import type { WordLength } from '../word-length';

/** What the reduce step returns (seed 001: `{ "totalLength": 39 }`). */
export interface TotalLength {
  readonly totalLength: number;
}

/** The mapped results are not an array of `{ length: number }`. */
export class MappedResultsValidationError extends Error {
  override readonly name = 'MappedResultsValidationError';
}

const logger = new Logger({ serviceName: 'sum-lengths' });

/** Sum of the mapped lengths; an empty list sums to 0. */
export function sumLengths(results: unknown): TotalLength {
  if (!Array.isArray(results)) {
    throw new MappedResultsValidationError(`mapped results must be an array (got ${JSON.stringify(results)})`);
  }
  let totalLength = 0;
  results.forEach((result: unknown, index) => {
    // Strings and arrays have a length of their own; only a `{ length }` object is a mapped result.
    const isObject = typeof result === 'object' && result !== null && !Array.isArray(result);
    const length = isObject ? (result as Partial<Record<keyof WordLength, unknown>>).length : undefined;
    if (typeof length !== 'number' || !Number.isInteger(length) || length < 0) {
      throw new MappedResultsValidationError(`mapped result [${index}].length must be a non-negative integer (got ${JSON.stringify(result)})`);
    }
    totalLength += length;
  });
  return { totalLength };
}

export const handler = withWarmUp(async (event: unknown, context: Context): Promise<TotalLength> => {
  logger.addContext(context);
  const total = sumLengths(event);
  logger.info('reduced mapped results', { count: Array.isArray(event) ? event.length : 0, ...total });
  return total;
});
