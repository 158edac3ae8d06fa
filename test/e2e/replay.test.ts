import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { loadConfig } from '../../src/config';
import { closeTestDatabase } from '../support/test-database';
import { rollbackTenantInDB } from '../../src/db/tenant-operations';
import { dataConverter } from '../../src/temporal/data-converter';
import { toWorkflowInput } from '../../src/client';
import { AesGcmPayloadCodec } from '../../src/temporal/payload-codec';
import { workflowIdForSlug, type TenantCreationInput } from '../../src/contracts/tenant-creation';
import { FaultPlan, type Fault } from '../support/fault-plan';
import { provisioningHarness } from '../support/provisioning-worker';
import { tenantRequest } from '../harness/tenant-requests';

/**
 * Histories recorded from real runs are replayed against today's workflow code: a change that breaks
 * determinism for executions already in flight fails here. Re-record (after an intended, versioned
 * change) with: RECORD_HISTORIES=1 npx jest test/e2e/replay.test.ts
 */
const FIXTURES = join(__dirname, '..', 'fixtures', 'histories');
// A test-only key: the recorded payloads are encrypted like real ones, so replay exercises the codec too.
const FIXTURE_KEYS = `PAYLOAD_ENCRYPTION_KEYS`;
const fixtureEnv = { ...process.env, [FIXTURE_KEYS]: readFileSync(join(FIXTURES, 'payload-key.txt'), 'utf8').trim() };
const fixtureConfig = () => loadConfig(fixtureEnv);

const SCENARIOS: Record<string, Fault | undefined> = {
  completed: undefined,
  'compensated-before-activate': { failBefore: 'activateTenant' },
  'compensation-failed-after-activate': { failAfter: 'activateTenant' },
};

async function record(): Promise<void> {
  const saved = process.env[FIXTURE_KEYS];
  process.env[FIXTURE_KEYS] = fixtureEnv[FIXTURE_KEYS];
  const h = await provisioningHarness();
  try {
    const plan = new FaultPlan();
    await h.startWorker((real) => plan.wrap(real));
    for (const [name, fault] of Object.entries(SCENARIOS)) {
      const request = tenantRequest();
      if (fault) plan.faults.set(workflowIdForSlug(toWorkflowInput(request).slug), fault);
      const handle = await h.client.start(request);
      await handle.result().catch(() => undefined);
      const history = await handle.fetchHistory();
      writeFileSync(join(FIXTURES, `${name}.bin`), temporal.api.history.v1.History.encode(history).finish());
      const left = await h.knex('tenants').where({ idempotency_key: `${handle.workflowId}/${handle.firstExecutionRunId}` }).first<{ tenant: string } | undefined>('tenant');
      if (left) await rollbackTenantInDB(h.knex, left.tenant, { force: true });
    }
  } finally {
    await h.close();
    await closeTestDatabase();
    process.env[FIXTURE_KEYS] = saved;
  }
}

/** The workflow id of a recorded run: the one derived from the slug in its (encrypted) input. */
async function recordedWorkflowId(history: temporal.api.history.v1.IHistory): Promise<string> {
  const input = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads ?? [];
  const [payload] = await new AesGcmPayloadCodec(fixtureConfig().temporal.payloadKeys).decode(input);
  return workflowIdForSlug(defaultPayloadConverter.fromPayload<TenantCreationInput>(payload!).slug);
}

describe('replay of recorded histories', () => {
  if (process.env.RECORD_HISTORIES) it('records the fixtures', record, 120_000);

  const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.bin'));

  it('has a recorded history for every scenario', () => {
    expect(files.sort()).toEqual(Object.keys(SCENARIOS).map((s) => `${s}.bin`).sort());
  });

  it.each(files)('%s replays deterministically on the current workflow code', async (file) => {
    const history = temporal.api.history.v1.History.decode(readFileSync(join(FIXTURES, file)));
    await Worker.runReplayHistory(
      { workflowsPath: require.resolve('../../src/workflows'), dataConverter: dataConverter(fixtureConfig().temporal.payloadKeys, 'mark'), replayName: file },
      history,
      // The workflow checks that its id is derived from its slug, as it was when the history was recorded.
      await recordedWorkflowId(history),
    );
  });
});
