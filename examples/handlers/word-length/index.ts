import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { withWarmUp } from 'serverless-distributed-processing/handlers';

/** One item of the map step (seed 001: `{ "word": "apple" }`). */
export interface WordItem {
  readonly word: string;
}

/** What the map step returns for one item. */
export interface WordLength {
  readonly length: number;
}

/** The item is not a `{ word: string }`; Step Functions reports this name as the error. */
export class WordValidationError extends Error {
  // A literal, so minification cannot rename the error Step Functions sees.
  override readonly name = 'WordValidationError';
}

const logger = new Logger({ serviceName: 'word-length' });

/** Length of the item's word, in UTF-16 code units as JavaScript counts them. */
export function wordLength(item: unknown): WordLength {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    throw new WordValidationError(`item must be an object like {"word":"apple"} (got ${JSON.stringify(item)})`);
  }
  const word = (item as Partial<Record<keyof WordItem, unknown>>).word;
  if (typeof word !== 'string') {
    throw new WordValidationError(`item.word must be a string (got ${JSON.stringify(word) ?? 'undefined'})`);
  }
  return { length: word.length };
}

export const handler = withWarmUp(async (event: unknown, context: Context): Promise<WordLength> => {
  logger.addContext(context);
  const result = wordLength(event);
  logger.debug('mapped item', { item: event as object, result });
  return result;
});
