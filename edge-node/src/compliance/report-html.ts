// The report as one self-contained HTML page for inspectors: verdict, the
// check list with pass/fail and reasons, evidence quotes whose timestamps link
// into the recording at that moment (media fragment `#t=<seconds>`), alerts and
// the transcript.
import type { Evidence, Report } from '#protocol/report';

export interface RenderOptions {
  /**
   * The call's recording. With it every timestamp links to `<recordingUrl>#t=<s>`;
   * without it, to the speaker's track beside the report (`manager.wav#t=<s>`, the
   * layout of a stored call directory).
   */
  recordingUrl?: string;
  title?: string;
}

const esc = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function clock(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}.${String(Math.floor((ms % 1000) / 100))}`;
}

function link(role: string, ms: number, options: RenderOptions): string {
  const t = (ms / 1000).toFixed(1);
  if (options.recordingUrl) return `${options.recordingUrl}#t=${t}`;
  const track = ['manager', 'customer', 'expert'].includes(role) ? `${role}.wav` : 'manager.wav';
  return `${track}#t=${t}`;
}

function evidenceItem(e: Evidence, options: RenderOptions): string {
  const when = e.endMs > e.startMs ? `${clock(e.startMs)}–${clock(e.endMs)}` : clock(e.startMs);
  const quoteText = e.role === 'call' || e.role === 'frame' ? esc(e.text) : `“${esc(e.text)}”`;
  return `<li><a class="t" href="${esc(link(e.role, e.startMs, options))}">${when}</a> <span class="role">${esc(e.role)}</span> ${quoteText}</li>`;
}

export function renderReportHtml(report: Report, options: RenderOptions = {}): string {
  const title = options.title ?? `Compliance report — call ${report.callId}`;
  const rows = report.checks
    .map(
      (c) => `<tr class="${c.status}">
  <td><span class="badge ${c.status}">${c.status}</span></td>
  <td><b>${esc(c.title ?? c.id)}</b><br><code>${esc(c.id)}</code></td>
  <td class="sev ${c.severity}">${c.severity}</td>
  <td>${esc(c.reason)}${c.evidence.length ? `<ul>${c.evidence.map((e) => evidenceItem(e, options)).join('')}</ul>` : ''}</td>
</tr>`,
    )
    .join('\n');
  const alerts = report.alerts.length
    ? `<ul>${report.alerts.map((a) => `<li><a class="t" href="${esc(link('manager', a.atMs, options))}">${clock(a.atMs)}</a> <code>${esc(a.checkId)}</code> ${esc(a.message)}</li>`).join('')}</ul>`
    : '<p>No alerts during the call.</p>';
  const transcript = report.transcript
    .map(
      (l) =>
        `<tr><td><a class="t" href="${esc(link(l.role, l.startMs, options))}">${clock(l.startMs)}</a></td><td class="role">${esc(l.role)}</td><td>${esc(l.text)}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:70rem;color:#222}
h1{font-size:1.4rem} table{border-collapse:collapse;width:100%} td,th{border-bottom:1px solid #ddd;padding:.45rem;vertical-align:top;text-align:left}
.badge{display:inline-block;padding:.1rem .5rem;border-radius:.6rem;font-weight:600;font-size:.8rem}
.badge.pass{background:#d8f5dd;color:#14632a}.badge.fail{background:#fbdcdc;color:#8a1212}.badge.not-applicable{background:#eee;color:#555}
.verdict{font-size:1.1rem;font-weight:700}.verdict.compliant{color:#14632a}.verdict.non-compliant{color:#8a1212}.verdict.needs-review{color:#8a5a00}
.sev.critical{color:#8a1212;font-weight:600}.sev.major{color:#8a5a00}.role{color:#555;font-variant:small-caps}
ul{margin:.3rem 0 0;padding-left:1.1rem} a.t{font-family:ui-monospace,monospace;text-decoration:none}
</style></head><body>
<h1>${esc(title)}</h1>
<p><span class="verdict ${report.verdict}">${report.verdict}</span> · score ${report.score.toFixed(3)} · pack <code>${esc(report.pack.id)}@${esc(report.pack.version)}</code> · duration ${clock(report.durationMs)}${report.transcriptSource ? ` · text from ${esc(report.transcriptSource)}` : ''}</p>
<h2>Checks</h2>
<table><thead><tr><th>Status</th><th>Check</th><th>Severity</th><th>Reason and evidence</th></tr></thead><tbody>
${rows}
</tbody></table>
<h2>Alerts</h2>
${alerts}
<h2>Transcript</h2>
<table><tbody>
${transcript}
</tbody></table>
</body></html>
`;
}
