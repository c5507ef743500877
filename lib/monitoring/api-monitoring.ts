import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { Construct, IConstruct } from 'constructs';
import { ABOVE, AT_LEAST } from './alarm-factory';
import { labelled, MonitoringSegment, MonitoringSegmentProps } from './monitoring-segment';
import * as runbook from '../core/runbook';

/** What the recipe reads of an API (an `ApiTrigger`): its stage. */
export interface MonitoredApi extends IConstruct {
  readonly stage: apigateway.Stage;
}

export interface ApiMonitoringProps extends MonitoringSegmentProps {
  readonly api: MonitoredApi;
}

/** An API's alarms on 5XX answers (and p99 latency with `latencyP99`); a row of its requests and latency. */
export class ApiMonitoring extends MonitoringSegment {
  constructor(scope: Construct, id: string, props: ApiMonitoringProps) {
    super(scope, id, props);
    const { api } = props;
    const { stage } = api;
    const s = this.settings;
    const serverErrors = this.sum(stage.metricServerError());
    const latency = (statistic: string) => stage.metricLatency({ period: s.period, statistic });

    this.addAlarm('ServerErrors', {
      metric: serverErrors, threshold: s.serverErrors, comparisonOperator: AT_LEAST,
      description: runbook.apiServerErrors(this.countFacts(api.node.path, s.serverErrors)),
    });
    if (s.latencyP99 !== undefined) {
      this.addAlarm('LatencyP99', {
        metric: latency('p99'), threshold: s.latencyP99.toMilliseconds(), comparisonOperator: ABOVE,
        description: runbook.apiLatencyP99(api.node.path, s.latencyP99),
      });
    }

    this.addRow(
      this.graph('requests', labelled([[this.sum(stage.metricCount()), 'requests'], [this.sum(stage.metricClientError()), '4XX'], [serverErrors, '5XX']])),
      this.graph('latency (ms)', labelled([[latency('p50'), 'p50'], [latency('p99'), 'p99'],
        [stage.metricIntegrationLatency({ period: s.period, statistic: 'p99' }), 'integration p99']])),
    );
  }
}
