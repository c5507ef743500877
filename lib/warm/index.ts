// Warm capacity: a warmer on schedules, provisioned concurrency (scheduled or scaled), SnapStart aliases.
export { LambdaWarmer, type LambdaWarmerProps, type WarmTarget, type WarmWindow } from './lambda-warmer';
export {
  ProvisionedConcurrency,
  type ProvisionedConcurrencyProps,
  type ProvisionedConcurrencyScaling,
  type ProvisionedConcurrencySchedule,
} from './provisioned-concurrency';
export { SnapStartAlias, type SnapStartAliasProps } from './snap-start';
