// Stores a finished report with the call: `compliance-report.json` and
// `compliance-report.html` in the call's directory, each written to a temp file
// and renamed, so a crash never leaves half a report next to a recording.
import path from 'node:path';
import { writeFileAtomically as writeAtomically } from '#common/files';
import { Report } from '#protocol/report';
import { validate } from '#protocol/errors';
import { renderReportHtml, type RenderOptions } from './report-html.ts';

export const REPORT_JSON = 'compliance-report.json';
export const REPORT_HTML = 'compliance-report.html';

/** Writes the report (validated) and its HTML page into `callDir`; returns both paths. */
export function saveReport(
  callDir: string,
  report: Report,
  options: RenderOptions = {},
): { json: string; html: string } {
  const valid = validate(Report, report, 'compliance report');
  const json = path.join(callDir, REPORT_JSON);
  const html = path.join(callDir, REPORT_HTML);
  writeAtomically(json, `${JSON.stringify(valid, null, 2)}\n`);
  writeAtomically(html, renderReportHtml(valid, options));
  return { json, html };
}
