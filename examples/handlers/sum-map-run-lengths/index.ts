import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { MapRunResults, withWarmUp } from 'serverless-distributed-processing/handlers';
import type { WordOutcome } from '../word-length-batch';

/** What the distributed example's job returns: every item is either measured or failed (`items = measured + failed`). */
export interface JobLengths {
  readonly items: number;
  readonly measured: number;
  readonly failed: number;
  readonly totalLength: number;
}

const logger = new Logger({ serviceName: 'sum-map-run-lengths' });

/**
 * The reduce step of the distributed example: reads the map run's results from S3 a page at a time (never all at
 * once: a 200,000-item job's results are megabytes), sums the lengths, and counts the failed items — those the map
 * step rejected, and those of child executions that failed within the map's tolerated failures.
 */
export async function sumMapRunLengths(results: MapRunResults<WordOutcome>): Promise<JobLengths> {
  let measured = 0;
  let rejected = 0;
  let totalLength = 0;
  for await (const page of results.pages()) {
    for (const outcome of page) {
      if ('error' in outcome) {
        rejected++;
      } else {
        measured++;
        totalLength += outcome.length;
      }
    }
  }
  const failed = rejected + await results.failedItemCount();
  return { items: measured + failed, measured, failed, totalLength };
}

export const handler = withWarmUp(async (event: unknown, context: Context): Promise<JobLengths> => {
  logger.addContext(context);
  const lengths = await sumMapRunLengths(new MapRunResults<WordOutcome>(event, { pageSize: 5000 }));
  logger.info('reduced map run', { ...lengths });
  return lengths;
});
