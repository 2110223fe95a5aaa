// Live mode: FINAL segments in, alerts and checklist out, report at the end.
import { describe, expect, test } from 'vitest';
import type { Checklist, ComplianceAlert } from '#protocol/events';
import { Report } from '#protocol/report';
import { createLogger } from '#common/logger';
import {
  ComplianceSession,
  loadRulePack,
  renderReportHtml,
} from '../../../edge-node/src/compliance/index.ts';

const logger = createLogger('test', { level: 'silent' });
const pack = loadRulePack('wealth-sale');

function seg(role: 'manager' | 'customer' | 'expert', startMs: number, text: string, final = true) {
  return {
    callId: 'c1',
    role,
    participantId: `${role}-1`,
    startMs,
    endMs: startMs + 3000,
    text,
    final,
    confidence: 0.9,
    utteranceId: `${role}-${startMs}`,
    engine: 'test',
  };
}

describe('ComplianceSession', () => {
  test('a misleading claim raises one alert before addSegment returns, with the check and severity', () => {
    const s = new ComplianceSession(pack, 'c1', { logger });
    const alerts: ComplianceAlert[] = [];
    s.on('alert', (a) => alerts.push(a));
    s.addSegment(seg('manager', 1000, 'This fund is great, your returns are guaranteed.'));
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      callId: 'c1',
      checkId: 'no-misleading-claims',
      severity: 'critical',
      atMs: 4000,
    });
    // Re-evaluation on later segments does not repeat the alert.
    s.addSegment(seg('customer', 5000, 'Okay.'));
    expect(alerts).toHaveLength(1);
  });

  test('partial segments are ignored; only finals count', () => {
    const s = new ComplianceSession(pack, 'c1', { logger });
    const alerts: ComplianceAlert[] = [];
    s.on('alert', (a) => alerts.push(a));
    s.addSegment(seg('manager', 1000, 'your returns are guaranteed', false));
    s.addSegment(seg('manager', 1000, 'your returns are not guaranteed', true));
    expect(alerts).toHaveLength(0);
    expect(s.checklist().items.find((i) => i.id === 'principal-risk')?.status).toBe('pass');
  });

  test('a risk mismatch and a decision before the disclosures alert during the call', () => {
    const s = new ComplianceSession(pack, 'c1', { logger });
    const alerts: ComplianceAlert[] = [];
    s.on('alert', (a) => alerts.push(a));
    s.addSegment(
      seg('manager', 0, 'Your risk tolerance is conservative, level one. This product is rated R four.'),
    );
    s.addSegment(seg('customer', 4000, 'Sounds good, I will take it.'));
    expect(alerts.map((a) => a.checkId).sort()).toEqual([
      'disclosure-before-decision',
      'risk-assessment-match',
    ]);
  });

  test('the checklist starts pending, moves as items are said, and missing items fail at the end', () => {
    const s = new ComplianceSession(pack, 'c1', { logger });
    const lists: Checklist[] = [];
    s.on('checklist', (c) => lists.push(c));
    s.addSegment(seg('manager', 0, 'Please note this product is not a bank deposit.'));
    expect(lists.at(-1)?.items.find((i) => i.id === 'not-a-deposit')?.status).toBe('pass');
    expect(lists.at(-1)?.items.find((i) => i.id === 'principal-risk')?.status).toBe('pending');
    const report = s.finish({ durationMs: 60_000 });
    expect(Report.parse(report)).toEqual(report);
    const principal = report.checks.find((c) => c.id === 'principal-risk')!;
    expect(principal.status).toBe('fail');
    // A missing item carries the span in which it should have been said.
    expect(principal.evidence.at(-1)).toMatchObject({ role: 'call', startMs: 0 });
    expect(report.verdict).toBe('non-compliant');
    expect(report.durationMs).toBe(60_000);
  });

  test('a disclosure said by the customer does not count, and the reason says so', () => {
    const s = new ComplianceSession(pack, 'c1', { logger });
    s.addSegment(seg('customer', 0, 'So this is not a bank deposit, right?'));
    s.addSegment(seg('manager', 3500, "Yes, that's right."));
    const check = s.finish().checks.find((c) => c.id === 'not-a-deposit')!;
    expect(check.status).toBe('fail');
    expect(check.reason).toMatch(/said only by customer/);
  });

  test('finish is idempotent and closes the session', () => {
    const s = new ComplianceSession(pack, 'c1', { logger });
    s.addSegment(seg('manager', 0, 'My name is Ann and I am licensed to sell this product.'));
    const a = s.finish();
    expect(s.finish()).toBe(a);
    expect(() => s.addSegment(seg('manager', 9000, 'more'))).toThrow(/finished/);
  });

  test('a throwing listener does not break evaluation', () => {
    const s = new ComplianceSession(pack, 'c1', { logger });
    s.on('alert', () => {
      throw new Error('screen gone');
    });
    expect(() => s.addSegment(seg('manager', 0, 'There is no risk at all.'))).not.toThrow();
    expect(s.finish().checks.find((c) => c.id === 'no-misleading-claims')?.status).toBe('fail');
  });

  test('the HTML report links evidence into the recording and escapes text', () => {
    const s = new ComplianceSession(pack, 'c1', { logger });
    s.addSegment(seg('manager', 61_200, 'Returns are <b>guaranteed</b>!'));
    const html = renderReportHtml(s.finish(), { recordingUrl: 'rec.webm' });
    expect(html).toContain('href="rec.webm#t=61.2"');
    expect(html).toContain('&lt;b&gt;guaranteed&lt;/b&gt;');
    expect(html).not.toContain('<b>guaranteed</b>');
    expect(html).toMatch(/non-compliant/);
  });
});

describe('saveReport', () => {
  test('writes the JSON and the HTML page next to the recording, nothing else', async () => {
    const { mkdtempSync, readdirSync, readFileSync } = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const { saveReport } = await import('../../../edge-node/src/compliance/index.ts');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'report-store-'));
    const s = new ComplianceSession(pack, 'c9', { logger });
    s.addSegment(seg('manager', 0, 'This product is not a bank deposit.'));
    const files = saveReport(dir, s.finish());
    expect(readdirSync(dir).sort()).toEqual(['compliance-report.html', 'compliance-report.json']);
    expect(Report.parse(JSON.parse(readFileSync(files.json, 'utf8'))).callId).toBe('c9');
    expect(readFileSync(files.html, 'utf8')).toContain('<!doctype html>');
  });
});
