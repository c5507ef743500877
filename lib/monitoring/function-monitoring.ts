import { Token } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { functionResource } from '../core/known-settings';
import { AT_LEAST } from './alarm-factory';
import { labelled, MonitoringSegment, MonitoringSegmentProps } from './monitoring-segment';
import * as runbook from '../core/runbook';

export interface FunctionMonitoringProps extends MonitoringSegmentProps {
  readonly fn: lambda.IFunction;
  /**
   * What an error of this function leads to where it sits (a sentence and a space), said in its `Errors` alarm.
   * @default - nothing said
   */
  readonly errorConsequence?: string;
}

/** A function's alarms on errors and throttles; a row of its invocations and duration, with its timeout marked. */
export class FunctionMonitoring extends MonitoringSegment {
  constructor(scope: Construct, id: string, props: FunctionMonitoringProps) {
    super(scope, id, props);
    const { fn } = props;
    const s = this.settings;
    const errors = this.sum(fn.metricErrors());
    const throttles = this.sum(fn.metricThrottles());
    const path = fn.node.path;

    this.addAlarm('Errors', {
      metric: errors, threshold: s.functionErrors, comparisonOperator: AT_LEAST,
      description: runbook.functionErrors(this.countFacts(path, s.functionErrors), props.errorConsequence),
    });
    this.addAlarm('Throttles', {
      metric: throttles, threshold: s.functionThrottles, comparisonOperator: AT_LEAST,
      description: runbook.functionThrottles(this.countFacts(path, s.functionThrottles)),
    });

    const timeoutSeconds = functionResource(fn)?.timeout;
    this.addRow(
      this.graph('invocations', labelled([[this.sum(fn.metricInvocations()), 'invocations'], [errors, 'errors'], [throttles, 'throttles']])),
      this.graph('duration (ms)', ['p50', 'p99', 'Maximum'].map((statistic) => fn.metricDuration({ period: s.period, statistic, label: statistic })),
        typeof timeoutSeconds === 'number' && !Token.isUnresolved(timeoutSeconds) ? [{ value: timeoutSeconds * 1000, label: 'timeout' }] : undefined),
    );
  }
}
