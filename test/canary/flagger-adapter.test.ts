import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { analysisSettings, CanarySchema, canaryStatusFor, rollbackReason, snapshotCanary } from '../../src/adapters/flagger/canary.js';
import { sameVersion, versionFromTag } from '../../src/adapters/flagger/versions.js';
import { imageTag } from '../../src/adapters/kube/deployments.js';
import { readAnalysisEvents } from '../../src/adapters/flagger/events.js';
import { SHARED_DIR as __SHARED } from '../helpers/paths.js';
const REFERENCE = `${__SHARED}/reference`;

const REF = `${REFERENCE}/flagger`;

describe('Flagger Canary', () => {
  it('reads the promoted canary of the Flagger docs', () => {
    // The docs show the status block only.
    const { status } = parse(readFileSync(`${REF}/flagger-docs-canary-status-promoted.yaml`, 'utf8'));
    const canary = CanarySchema.parse({ metadata: { name: 'podinfo' }, spec: { targetRef: { name: 'podinfo' } }, status });
    const s = snapshotCanary(canary);
    expect(s).toMatchObject({ weight: 0, failedChecks: 0, iterations: 0, lastAppliedSpec: '14788816656920327485' });
    expect(s.condition).toEqual({ status: 'True', reason: 'Succeeded', message: 'Canary analysis completed successfully, promotion finished.' });
  });

  it('takes the analysis thresholds from the istio canary of the Flagger artifacts', () => {
    const canary = CanarySchema.parse(parse(readFileSync(`${REF}/flagger-artifacts-istio-canary.yaml`, 'utf8')));
    expect(canary.spec.targetRef.name).toBe('podinfo');
    expect(analysisSettings(canary)).toEqual({ intervalSec: 15, threshold: 10, maxErrorRate: 1, maxResponseTimeMs: 500 });
  });

  it('maps every Flagger phase onto the seed status', () => {
    const phases = ['Initializing', 'Initialized', 'Waiting', 'Progressing', 'WaitingPromotion', 'Promoting', 'Finalising', 'Succeeded', 'Failed', 'Terminating', 'Terminated'];
    expect(phases.map(canaryStatusFor)).toEqual([
      'initializing', 'initializing', 'progressing', 'progressing', 'progressing', 'progressing', 'progressing', 'succeeded', 'rollback', 'initializing', 'initializing',
    ]);
  });

  it('builds the rollback reason from the Promoted condition, also when failedChecks is 0', () => {
    const failed = CanarySchema.parse({
      metadata: { name: 'backend' },
      spec: { targetRef: { name: 'backend' } },
      status: { phase: 'Failed', canaryWeight: 0, failedChecks: 0, conditions: [{ type: 'Promoted', status: 'False', reason: 'Failed', message: 'Canary analysis failed, Deployment scaled to zero.' }] },
    });
    expect(rollbackReason(snapshotCanary(failed), 10)).toBe('Canary analysis failed, Deployment scaled to zero.');
  });

  it('derives semantic versions from image tags', () => {
    expect(imageTag('ghcr.io/shopfds/fds:v1.2.3')).toBe('v1.2.3');
    expect(imageTag('registry:5000/fds')).toBeNull();
    expect(imageTag('fds@sha256:abc')).toBeNull();
    expect(versionFromTag('v1.2.3')).toBe('v1.2.3');
    expect(versionFromTag('1.2.3-rc.1')).toBe('1.2.3-rc.1');
    expect(versionFromTag('latest')).toBeNull();
    expect(sameVersion('v1.2.3', '1.2.3')).toBe(true);
  });

  it('reads metric values from the Events of the Flagger docs (failed canary)', () => {
    const text = readFileSync(`${REF}/flagger-docs-istio-describe-canary-succeeded-and-failed.txt`, 'utf8');
    const failed = text.slice(text.indexOf('Failed Checks:         10'));
    const messages = [...failed.matchAll(/flagger\s{2}(.+)$/gm)].map((m) => m[1]!.trim());
    expect(messages).toContain('(combined from similar events): Halt podinfo.test advancement success rate 38.08% < 99%');
    const readings = readAnalysisEvents({ items: messages.map((message) => ({ message })) }, 0);
    expect(readings).toEqual({ successRate: 38.08, durationMs: null, lastHalt: 'Halt podinfo.test advancement success rate 38.08% < 99%' });
    const duration = readAnalysisEvents({ items: [{ message: 'Halt podinfo.test advancement request duration 1.515s > 500ms' }] }, 0);
    expect(duration.durationMs).toBe(1515);
  });
});
