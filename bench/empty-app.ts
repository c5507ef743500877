import { App, Stack } from 'aws-cdk-lib';

// Baseline for `npm run bench`: what `cdk synth` costs with nothing of this library in it.
const app = new App();
new Stack(app, 'Empty');
app.synth();
