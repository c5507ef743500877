import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { FanOut, JobSplitter, JobSplitterProps } from '../../lib';
import { standInFunction } from '../support/stand-in-function';

/** The warnings of a JobSplitter 'Splitter' over a one-consumer fan-out. */
function warnings(props: Partial<JobSplitterProps>): string[] {
  const stack = new Stack(new App(), 'Test');
  const fanOut = new FanOut(stack, 'Work', { consumers: { Words: { function: standInFunction(stack, 'Worker') } } });
  new JobSplitter(stack, 'Splitter', { fanOut, ...props });
  return Annotations.fromStack(stack).findWarning('*', Match.anyValue()).map((w) => String(w.entry.data));
}

// The largest chunk envelope, {"jobId":"<64 characters>","chunkIndex":9007199254740991,"items":[]}, is 117 bytes;
// 262,144 - 117 = 262,027 bytes are left for the items and their separators.
describe('message sizes against the 256 KiB SNS/SQS limit, when the item schema bounds an item', () => {
  test('an item the schema allows that no message can hold: a warning saying what to change', () => {
    expect(warnings({ itemSchema: { type: 'string', maxLength: 50_000 } })).toEqual([
      'itemSchema allows an item of up to 300002 bytes as JSON, more than an SNS/SQS message holds (262027 bytes besides the chunk\'s envelope): '
      + 'the splitter would reject a job holding one (ItemTooLargeError). Lower the schema\'s bounds (maxLength, maxItems), or pass large items by reference (an S3 key) '
      + '[ack: @sdp/fan-out:item-exceeds-message]',
    ]);
  });

  test('a chunkSize whose chunks of the largest items exceed a message: a warning with the chunkSize that fits', () => {
    // Items of up to 6,002 bytes: 43 of them and their separators take 258,128 bytes, 44 would take 264,131.
    expect(warnings({ chunkSize: 100, itemSchema: { type: 'string', maxLength: 1000 } })).toEqual([
      'a chunk of chunkSize 100 items of up to 6002 bytes each (itemSchema) can exceed the 256 KiB SNS/SQS message limit; '
      + 'the splitter then cuts chunks by bytes, to as few as 43 items. Set chunkSize to at most 43, or tighten the schema\'s bounds '
      + '[ack: @sdp/fan-out:chunk-exceeds-message]',
    ]);
  });

  test('chunks that fit, or a schema that does not bound an item: no warning', () => {
    expect(warnings({ chunkSize: 43, itemSchema: { type: 'string', maxLength: 1000 } })).toEqual([]);
    expect(warnings({ chunkSize: 10_000, itemSchema: { type: 'string' } })).toEqual([]);
    expect(warnings({ chunkSize: 10_000 })).toEqual([]);
  });
});
