// Public API of the dual-recording compliance engine (live mode on the edge,
// inspection of stored calls). See docs/compliance.md.
export { ComplianceSession, type ComplianceSessionEvents, type SegmentInput } from './session.ts';
export type { FrameObservation } from './engine/call-state.ts';
export { loadRulePack, knownPackIds, resolvePackFile, DEFAULT_RULES_DIR } from './pack/loader.ts';
export { RulePackFile, type RulePack, type CheckDef } from './pack/schema.ts';
export { packHints } from './pack/hints.ts';
export { renderReportHtml, type RenderOptions } from './report-html.ts';
export { verdictOf, scoreOf } from './report.ts';
export {
  inspectCall,
  documentTitleSeen,
  type InspectInput,
  type InspectResult,
} from './inspect/inspect-call.ts';
export { saveReport, REPORT_JSON, REPORT_HTML } from './report-store.ts';
// Frame analysis loads the vision models on first use (~1 s); import it only where frames exist:
//   import { observeFrame, analyzeFrames } from './frames/analyze-frames.ts';
export { Report, type Evidence, type ReportCheck, type Verdict } from '#protocol/report';
