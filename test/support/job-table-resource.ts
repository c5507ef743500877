import { JOB_TABLE_PARTITION_KEY, JOB_TABLE_SORT_KEY } from '../../handlers/job-records';

/**
 * A job table as a template resource, with the job record contract's keys, for tests that create it in dynalite
 * (`LocalDynamoDb.createTables({ Resources: { Jobs: JOB_TABLE_RESOURCE } })` makes the table `Jobs`).
 */
export const JOB_TABLE_RESOURCE = {
  Type: 'AWS::DynamoDB::Table',
  Properties: {
    KeySchema: [{ AttributeName: JOB_TABLE_PARTITION_KEY, KeyType: 'HASH' }, { AttributeName: JOB_TABLE_SORT_KEY, KeyType: 'RANGE' }],
    AttributeDefinitions: [{ AttributeName: JOB_TABLE_PARTITION_KEY, AttributeType: 'S' }, { AttributeName: JOB_TABLE_SORT_KEY, AttributeType: 'S' }],
  },
};
