import type { PlanGate, PlanItemStatus, PlanStep, Run } from '../model/index.js';
import { formatDuration } from './format.js';

/*
 * What every renderer shows for a plan run, in the validation report's form (seed 002): one row per
 * step (ITEM / RESULT / NOTES), the tiers' timings against their targets, and the gates.
 */

/** How a step's, tier's or gate's outcome is written. */
export function planStatusLabel(status: PlanItemStatus | PlanGate['status']): string {
  return status === 'not_run' ? 'not run' : status;
}

export interface PlanItemRow {
  readonly tier: string;
  readonly item: string;
  readonly result: string;
  readonly notes: string;
  readonly ok: boolean | null;
  readonly runIds: readonly string[];
}

function stepNotes(step: PlanStep): string {
  const parts = [step.notes, step.reason && !step.notes.includes(step.reason) ? step.reason : ''].filter(Boolean);
  if (step.attempts > 1) parts.push(`${step.attempts} attempts`);
  return parts.join('; ');
}

function itemOk(status: PlanItemStatus): boolean | null {
  return status === 'passed' ? true : status === 'skipped' || status === 'not_run' ? null : false;
}

/** One row per step, in the order the plan ran them. */
export function planItemRows(run: Run): PlanItemRow[] {
  const plan = run.plan;
  if (!plan) return [];
  return plan.tiers.flatMap((tier) =>
    tier.steps.map((step) => ({
      tier: tier.name,
      item: step.name,
      result: planStatusLabel(step.status),
      notes: stepNotes(step),
      ok: itemOk(step.status),
      runIds: step.run_ids,
    })),
  );
}

export interface PlanTierRow {
  readonly tier: string;
  readonly result: string;
  readonly time: string;
  readonly target: string;
  /** Over its target duration (a warning, not a failure). */
  readonly over: boolean;
  readonly ok: boolean | null;
  readonly reason: string;
}

export function planTierRows(run: Run): PlanTierRow[] {
  return (run.plan?.tiers ?? []).map((t) => {
    const ran = t.status !== 'skipped' && t.status !== 'not_run';
    const over = ran && t.target_ms !== null && t.duration_ms > t.target_ms;
    return {
      tier: t.display_name ? `${t.name} (${t.display_name})` : t.name,
      result: planStatusLabel(t.status),
      time: ran ? formatDuration(t.duration_ms) : '-',
      target: t.target_ms === null ? '-' : formatDuration(t.target_ms),
      over,
      ok: itemOk(t.status),
      reason: [t.reason ?? '', over ? 'over its target duration' : ''].filter(Boolean).join('; '),
    };
  });
}

export interface PlanGateRow {
  readonly gate: string;
  readonly scope: string;
  readonly result: string;
  readonly actual: string;
  readonly ok: boolean;
  readonly reason: string;
}

export function planGateRows(run: Run): PlanGateRow[] {
  const plan = run.plan;
  if (!plan) return [];
  const row = (g: PlanGate, where: string): PlanGateRow => ({
    gate: g.expression,
    scope: g.step ? `${where} › ${g.step}` : where,
    result: planStatusLabel(g.status),
    actual: g.actual ?? '-',
    ok: g.status === 'passed',
    reason: g.reason ?? '',
  });
  return [...plan.tiers.flatMap((t) => t.gates.map((g) => row(g, t.name))), ...plan.gates.map((g) => row(g, 'plan'))];
}

/** "3 of 4 steps ran" facts for the verdict line. */
export function planStepCounts(run: Run): { readonly steps: number; readonly ran: number; readonly notRun: readonly PlanStep[] } {
  const steps = (run.plan?.tiers ?? []).flatMap((t) => t.steps);
  const considered = steps.filter((s) => !(s.status === 'skipped' && s.reason === 'left out with --skip'));
  const notRun = considered.filter((s) => s.status === 'not_run' || s.status === 'skipped');
  return { steps: considered.length, ran: considered.length - notRun.length, notRun };
}
