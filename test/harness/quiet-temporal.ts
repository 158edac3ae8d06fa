import { DefaultLogger, Runtime } from '@temporalio/worker';

// Workers created by a test file log through this Runtime: errors only, to keep jest output readable.
Runtime.install({ logger: new DefaultLogger('ERROR'), shutdownSignals: [] });
