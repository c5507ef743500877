// aws-cdk-lib validates every synthesized template against CloudFormation's rules with a WebAssembly validator, which
// takes about 5 s to load in each test file (jest gives each file its own module registry) where a synth without it
// takes 0.3 s. The example app is synthesized with it once per run, its findings failing the run (global-setup.ts,
// examples/example-app.ts); the tests' own apps are synthesized without it, as aws-cdk-lib allows (CDK_VALIDATION=false).
process.env.CDK_VALIDATION ??= 'false';
