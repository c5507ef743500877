import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { withWarmUp } from 'serverless-distributed-processing/handlers';
import { wordLength, type WordLength } from '../word-length';

/** The outcome of one item of a batch: its word's length, or why the item is not a word. */
export type WordOutcome = WordLength | { readonly error: string };

/** The event is not a batch, `{ items: [...] }`, as a distributed MapReduceWorkflow gives its map function. */
export class BatchValidationError extends Error {
  // A literal, so minification cannot rename the error Step Functions sees.
  override readonly name = 'BatchValidationError';
}

const logger = new Logger({ serviceName: 'word-length-batch' });

/**
 * The map step of the distributed example, over a batch of items: one outcome per item, in order. An item that is
 * not a `{ word }` is an outcome of its own (`{ error }`), counted as failed by the reduce step, so one bad item does
 * not fail the other items of its batch.
 */
export function wordLengthsOfBatch(event: unknown): WordOutcome[] {
  const items = (event as { items?: unknown } | null)?.items;
  if (!Array.isArray(items)) throw new BatchValidationError(`expected a batch { items: [...] } (got ${JSON.stringify(event)?.slice(0, 200)})`);
  return items.map((item): WordOutcome => {
    try {
      return wordLength(item);
    } catch (error) {
      return { error: (error as Error).message };
    }
  });
}

export const handler = withWarmUp(async (event: unknown, context: Context): Promise<WordOutcome[]> => {
  logger.addContext(context);
  const outcomes = wordLengthsOfBatch(event);
  logger.debug('mapped batch', { items: outcomes.length });
  return outcomes;
});
