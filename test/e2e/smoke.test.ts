import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { closeTestDatabase, testDatabase } from '../support/test-database';
import { MIGRATIONS } from '../../src/db/migrations';
import { createSmokeActivities } from './smoke/activities';
import { smokeWorkflow } from './smoke/workflows';

describe('end to end smoke', () => {
  afterAll(() => closeTestDatabase());

  it('runs a workflow on the real Temporal server whose activity reads PostgreSQL through testDatabase().admin', async () => {
    const address = process.env.TEMPORAL_ADDRESS!;
    const taskQueue = `smoke-${randomUUID()}`;
    const workerConnection = await NativeConnection.connect({ address });
    const connection = await Connection.connect({ address });
    try {
      const worker = await Worker.create({
        connection: workerConnection,
        taskQueue,
        workflowsPath: require.resolve('./smoke/workflows'),
        activities: createSmokeActivities(() => testDatabase().admin),
      });
      const client = new Client({ connection });
      const result = await worker.runUntil(client.workflow.execute(smokeWorkflow, { taskQueue, workflowId: `smoke-${randomUUID()}` }));
      expect(result).toBe(MIGRATIONS.filter((m) => m.target === 'tenant-data').length);
    } finally {
      await connection.close();
      await workerConnection.close();
    }
  });
});
