import { Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { PropValidator } from './validation';

/** Properties for an {@link AlarmTopic}. */
export interface AlarmTopicProps {
  /**
   * Address that receives every alarm by e-mail (AWS sends it a confirmation message first).
   * @default - no subscription; add one with `topic.addSubscription`
   */
  readonly email?: string;
}

/**
 * The one topic a pipeline's alarms notify: KMS-encrypted (with a key
 * CloudWatch may use), SSL-only, with an optional e-mail subscription, so an
 * alarm always reaches someone who can act.
 */
export class AlarmTopic extends Construct {
  readonly topic: sns.Topic;
  readonly key: kms.Key;
  // Alarms get each action once however many constructs ask, e.g. a construct's own alarm later adopted by PipelineMonitoring.
  private readonly alarmActionOn = new WeakSet<cloudwatch.Alarm>();
  private readonly okActionOn = new WeakSet<cloudwatch.Alarm>();

  constructor(scope: Construct, id: string, props: AlarmTopicProps = {}) {
    super(scope, id);
    const v = new PropValidator('AlarmTopic', this);
    v.check(props.email === undefined || /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(props.email), `email must be an e-mail address (got '${props.email}')`);
    v.throwIfAny();

    this.key = new kms.Key(this, 'Key', {
      enableKeyRotation: true,
      description: `Encrypts the alarm topic ${this.node.path}`,
    });
    // CloudWatch publishes alarm notifications into the encrypted topic.
    this.key.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
    }));
    this.topic = new sns.Topic(this, 'Topic', { masterKey: this.key, enforceSSL: true });
    if (props.email) {
      const subscription = this.topic.addSubscription(new subscriptions.EmailSubscription(props.email));
      Validations.of(subscription).acknowledge({
        id: 'Serverless-SNSRedrivePolicy',
        reason: 'An alarm e-mail SNS cannot deliver needs no queue: the alarm stays in ALARM in CloudWatch, visible on the console and to any other action on this topic.',
      });
    }
  }

  /**
   * Makes `alarm` notify this topic when it goes into ALARM, and with `ok` also when it
   * returns to OK. Idempotent: an alarm already notifying this topic gets no second action.
   */
  notifyOn(alarm: cloudwatch.Alarm, options: { readonly ok?: boolean } = {}): void {
    if (!this.alarmActionOn.has(alarm)) {
      alarm.addAlarmAction(new cloudwatchActions.SnsAction(this.topic));
      this.alarmActionOn.add(alarm);
    }
    if (options.ok && !this.okActionOn.has(alarm)) {
      alarm.addOkAction(new cloudwatchActions.SnsAction(this.topic));
      this.okActionOn.add(alarm);
    }
  }
}
