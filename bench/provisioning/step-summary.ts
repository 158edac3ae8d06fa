import type { Measurement } from './query-meter';
import { quantile, round } from '../lib/stats';

/** How one step (operation or activity) measured over many provisionings. */
export interface StepSummary {
  /** Statements per call: the median, and the range seen. */
  statements: number;
  statementsMin: number;
  statementsMax: number;
  dbMedianMs: number;
  dbP95Ms: number;
  wallMedianMs: number;
  wallP95Ms: number;
}

export function summarizeStep(runs: readonly Measurement[]): StepSummary {
  const statements = runs.map((r) => r.statements);
  const db = runs.map((r) => r.dbMs);
  const wall = runs.map((r) => r.wallMs);
  return {
    statements: quantile(statements, 0.5),
    statementsMin: Math.min(...statements),
    statementsMax: Math.max(...statements),
    dbMedianMs: round(quantile(db, 0.5)),
    dbP95Ms: round(quantile(db, 0.95)),
    wallMedianMs: round(quantile(wall, 0.5)),
    wallP95Ms: round(quantile(wall, 0.95)),
  };
}

/** Summaries of each step, in the order of `steps`. */
export function summarizeSteps<S extends string>(steps: readonly S[], runs: ReadonlyArray<Record<S, Measurement>>): Record<S, StepSummary> {
  return Object.fromEntries(steps.map((step) => [step, summarizeStep(runs.map((r) => r[step]))])) as Record<S, StepSummary>;
}

/** "6", or "6-8" when calls differed (a retry, a conflict path). */
export function statementRange(s: StepSummary): string {
  return s.statementsMin === s.statementsMax ? String(s.statements) : `${s.statementsMin}-${s.statementsMax}`;
}
