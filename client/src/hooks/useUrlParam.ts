// A page's sub-view kept in the URL (`?call=…`, `?observe=…`), so reloading or
// sharing the link lands in the same place and the browser's Back button leaves it.
import { useCallback, useEffect, useState } from 'react';

export function useUrlParam(name: string): [string | null, (value: string | null) => void] {
  const read = useCallback(() => new URLSearchParams(window.location.search).get(name), [name]);
  const [value, setValue] = useState(read);
  useEffect(() => {
    const onPop = () => setValue(read());
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, [read]);
  const go = useCallback(
    (next: string | null) => {
      const url = new URL(window.location.href);
      if (next) url.searchParams.set(name, next);
      else url.searchParams.delete(name);
      window.history.pushState(null, '', url);
      setValue(next);
    },
    [name],
  );
  return [value, go];
}
