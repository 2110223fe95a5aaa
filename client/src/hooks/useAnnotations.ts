import { useEffect, useState } from 'react';
import type { AnnotationStore } from '../lib/annotations/AnnotationStore.ts';
import { EMPTY, type AnnotationState } from '../lib/annotations/model.ts';

export function useAnnotations(store: AnnotationStore | undefined): AnnotationState {
  const [state, setState] = useState<AnnotationState>(store?.state ?? EMPTY);
  useEffect(() => {
    if (!store) return;
    setState(store.state);
    return store.on('change', setState);
  }, [store]);
  return state;
}
