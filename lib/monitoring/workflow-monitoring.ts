import { Construct } from 'constructs';
import { isWorkflow } from '../core/workflow';
import { AT_LEAST } from './alarm-factory';
import { MonitoredWorkflow } from './monitoring-options';
import { labelled, MonitoringSegment, MonitoringSegmentProps } from './monitoring-segment';
import * as runbook from '../core/runbook';

export interface WorkflowMonitoringProps extends MonitoringSegmentProps {
  /** One of the library's workflows (read through {@link isWorkflow}), or any state machine. */
  readonly workflow: MonitoredWorkflow;
}

/**
 * A workflow's alarms on failed, timed-out and throttled executions (and aborted ones with
 * `abortedExecutions`); a row of its executions and their duration.
 */
export class WorkflowMonitoring extends MonitoringSegment {
  constructor(scope: Construct, id: string, props: WorkflowMonitoringProps) {
    super(scope, id, props);
    const { workflow } = props;
    const stateMachine = isWorkflow(workflow) ? workflow.stateMachine : workflow;
    const s = this.settings;
    const path = workflow.node.path;
    const failed = this.sum(stateMachine.metricFailed());
    const timedOut = this.sum(stateMachine.metricTimedOut());
    const throttled = this.sum(stateMachine.metricThrottled());
    const aborted = this.sum(stateMachine.metricAborted());

    this.addAlarm('ExecutionsFailed', {
      metric: failed, threshold: s.failedExecutions, comparisonOperator: AT_LEAST,
      description: runbook.executionsFailed(this.countFacts(path, s.failedExecutions), isWorkflow(workflow) ? workflow.failureRecord : undefined),
    });
    this.addAlarm('ExecutionsTimedOut', {
      metric: timedOut, threshold: s.timedOutExecutions, comparisonOperator: AT_LEAST,
      description: runbook.executionsTimedOut(this.countFacts(path, s.timedOutExecutions)),
    });
    this.addAlarm('ExecutionThrottled', {
      metric: throttled, threshold: s.throttledExecutions, comparisonOperator: AT_LEAST,
      description: runbook.executionsThrottled(this.countFacts(path, s.throttledExecutions)),
    });
    if (s.abortedExecutions !== undefined) {
      this.addAlarm('ExecutionsAborted', {
        metric: aborted, threshold: s.abortedExecutions, comparisonOperator: AT_LEAST,
        description: runbook.executionsAborted(this.countFacts(path, s.abortedExecutions)),
      });
    }

    this.addRow(
      this.graph('executions', labelled([[this.sum(stateMachine.metricStarted()), 'started'], [this.sum(stateMachine.metricSucceeded()), 'succeeded'],
        [failed, 'failed'], [timedOut, 'timed out'], [aborted, 'aborted'], [throttled, 'throttled']])),
      this.graph('execution time', ['p50', 'p99', 'Maximum'].map((statistic) => stateMachine.metricTime({ period: s.period, statistic, label: statistic }))),
    );
  }
}
