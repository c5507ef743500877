import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

/**
 * The metrics of a construct's Lambda function, named and measured as aws-cdk-lib's `lambda.IFunction` names
 * and measures them, written once for the constructs built around one function (JobSplitter, FanOutConsumer).
 */
export abstract class FunctionMetricsBase extends Construct {
  /** The function the metrics are of. */
  protected abstract get measuredFunction(): lambda.IFunction;

  /**
   * Invocations of the function that failed (an error thrown, a timeout, running out of memory).
   * @default - sum over 5 minutes
   */
  metricErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.measuredFunction.metricErrors(props);
  }

  /**
   * Invocations of the function that Lambda throttled (its reserved concurrency was in use).
   * @default - sum over 5 minutes
   */
  metricThrottles(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.measuredFunction.metricThrottles(props);
  }

  /**
   * How long an invocation of the function runs.
   * @default - average over 5 minutes
   */
  metricDuration(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.measuredFunction.metricDuration(props);
  }
}
