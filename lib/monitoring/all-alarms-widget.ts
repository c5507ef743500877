import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';

/**
 * An alarm status widget over a list that is still growing when the widget is
 * placed: the dashboard body renders at synth, so the widget then lists every
 * alarm added by then and is as tall as that list needs.
 */
export class AllAlarmsWidget implements cloudwatch.IWidget {
  readonly width = cloudwatch.GRID_WIDTH;
  private x = 0;
  private y = 0;

  constructor(private readonly alarms: readonly cloudwatch.IAlarm[], private readonly title: string) {}

  /** One grid line per four alarms, under the title line; at least CloudWatch's default of 3. */
  get height(): number {
    return Math.max(3, 1 + Math.ceil(this.alarms.length / 4));
  }

  position(x: number, y: number): void {
    this.x = x;
    this.y = y;
  }

  toJson(): any[] {
    if (this.alarms.length === 0) return [];
    const widget = new cloudwatch.AlarmStatusWidget({
      alarms: [...this.alarms],
      title: this.title,
      width: this.width,
      height: this.height,
      sortBy: cloudwatch.AlarmStatusWidgetSortBy.STATE_UPDATED_TIMESTAMP,
    });
    widget.position(this.x, this.y);
    return widget.toJson();
  }
}
