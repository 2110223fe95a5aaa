// The expert's drawing tools: shape, colour, freeze/unfreeze, undo, clear.
import type { RefObject } from 'react';
import { captureFrame } from '../lib/annotations/capture.ts';
import type { AnnotationStore } from '../lib/annotations/AnnotationStore.ts';
import { PALETTE, TOOLS, targetKey, visibleOn, type Target, type Tool } from '../lib/annotations/model.ts';
import { useAnnotations } from '../hooks/useAnnotations.ts';
import { useI18n } from '../i18n/I18n.tsx';

interface Props {
  store: AnnotationStore;
  target: Target;
  tool: Tool | null;
  onTool: (tool: Tool | null) => void;
  color: string;
  onColor: (color: string) => void;
  videoRef: RefObject<HTMLVideoElement | null>;
}

const ICON: Record<Tool, string> = { arrow: '➚', circle: '◯', freehand: '✎', text: 'T' };

export function AnnotationToolbar({ store, target, tool, onTool, color, onColor, videoRef }: Props) {
  const { t } = useI18n();
  const state = useAnnotations(store);
  const frozen = Boolean(state.frozen[targetKey(target)]);
  const mine = visibleOn(state, target);

  const freeze = () => {
    if (frozen) return void store.send({ type: 'unfreeze', target });
    const image = videoRef.current && captureFrame(videoRef.current);
    if (image)
      void store.send({ type: 'freeze', target, frame: { frameId: `f-${Date.now().toString(36)}`, image } });
  };

  return (
    <div className="annotation-toolbar" role="toolbar" aria-label={t('annot.toolbar')}>
      <div className="tool-group" role="radiogroup" aria-label={t('annot.tools')}>
        {TOOLS.map((k) => (
          <button
            key={k}
            type="button"
            role="radio"
            aria-checked={tool === k}
            className={tool === k ? 'tool active' : 'tool'}
            onClick={() => onTool(tool === k ? null : k)}
            title={t(`annot.tool.${k}`)}
          >
            <span aria-hidden="true">{ICON[k]}</span> {t(`annot.tool.${k}`)}
          </button>
        ))}
      </div>
      <div className="tool-group" role="radiogroup" aria-label={t('annot.colour')}>
        {PALETTE.map((c, i) => (
          <button
            key={c}
            type="button"
            role="radio"
            aria-checked={color === c}
            className={color === c ? 'swatch active' : 'swatch'}
            style={{ background: c }}
            onClick={() => onColor(c)}
            aria-label={t(`annot.colourName.${i as 0 | 1 | 2 | 3 | 4}`)}
          />
        ))}
      </div>
      <div className="tool-group">
        <button type="button" className="secondary" aria-pressed={frozen} onClick={freeze}>
          {frozen ? t('annot.unfreeze') : t('annot.freeze')}
        </button>
        <button
          type="button"
          className="secondary"
          disabled={mine.length === 0}
          onClick={() => mine.length && void store.send({ type: 'remove', id: mine[mine.length - 1]!.id })}
        >
          {t('annot.undo')}
        </button>
        <button
          type="button"
          className="secondary"
          disabled={mine.length === 0}
          onClick={() => void store.send({ type: 'clear', target })}
        >
          {t('annot.clear')}
        </button>
      </div>
    </div>
  );
}
