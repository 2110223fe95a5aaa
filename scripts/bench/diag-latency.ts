import { createLogger } from '#common/logger';
import { resolveModel, TranscriptionService } from '../../edge-node/src/transcription/index.ts';
import { encodeOpusPackets, percentile, runLiveSpeakers } from '../../edge-node/src/transcription/eval/liveRun.ts';
import { renderSpeech } from '../../edge-node/src/transcription/eval/renderSpeech.ts';
const logger = createLogger('bench', { level: 'warn' });
const sentences = [
  'Before you sign, I must explain the risks of this wealth management product.',
  'The principal is not guaranteed and you may lose money.',
  'Do you confirm that you understand the risk level of this product?',
  'You have a cooling-off period of twenty four hours after signing.',
];
const speech = await renderSpeech(sentences, { gapMs: 1500, tailMs: 1500 });
const packets = await encodeOpusPackets(speech.path);
const model = await resolveModel('synthetic-tiny.en');
const engine = process.argv[2] === 'ps' ? { engine: 'pocketsphinx' as const } : { engine: 'whisper' as const, model: model.path, threads: 1, workers: 2 };
const service = await TranscriptionService.create({ engine, logger });
const t0 = performance.now();
const log: string[] = [];
const sch = service.scheduler;
const origSpec = sch.speculate.bind(sch);
sch.speculate = (job) => { log.push(`${Math.round(performance.now())} spec ${job.streamKey} ${Math.round(job.pcm.length/16)}ms`); return origSpec(job); };
const eng = sch.engine;
const origRec = eng.recognize.bind(eng);
eng.recognize = async (pcm, o) => { const s = performance.now(); const r = await origRec(pcm, o); log.push(`${Math.round(s)} rec ${o?.partial ? 'P' : 'F'} ${Math.round(pcm.length/16)}ms took ${Math.round(performance.now()-s)}`); return r; };
service.on('segment', (s) => { if (s.final) log.push(`${Math.round(performance.now())} FINAL ${s.participantId} ${s.endMs}`); });
for (const n of [1, Number(process.argv[3] ?? 6)]) {
  log.length = 0;
  const start = performance.now();
  const r = await runLiveSpeakers(service, packets, speech.utterances, { speakers: n });
  console.log(n, 'p50', percentile(r.latenciesMs, 50), 'p95', percentile(r.latenciesMs, 95), r.latenciesMs.map(Math.round).join(','));
  if (n === 1) { console.log(speech.utterances.map(u => `${u.startMs}-${u.endMs}`).join(' ')); console.log(log.map(l => l.replace(/^(\d+)/, (m) => String(Math.round(Number(m) - start)))).join('\n')); }
}
await service.close();
