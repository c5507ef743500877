// sdp cost: the bill model, the prices it uses (prices.json, with region, date and source page) and the metered sample run.
export * from './bill';
export * from './pipeline-facts';
export * from './prices';
export * from './sample-input';
export * from './sample-run';
export * from './usage';
