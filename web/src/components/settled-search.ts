import { useEffect, useState } from 'react';
import { useSearchParams } from 'react-router';

/** Waits until `value` has stood still for `ms`, so a search is asked once typing pauses. */
function useSettled<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/**
 * A list's search box: what is typed, and the search once typing pauses (`q`), kept in the page's
 * address so the list can be bookmarked; with the address's other values and their setter.
 */
export function useSettledSearch() {
  const [params, setParams] = useSearchParams();
  const [typed, setTyped] = useState(params.get('q') ?? '');
  const q = useSettled(typed.trim(), 300);
  useEffect(() => {
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        if (q) next.set('q', q);
        else next.delete('q');
        return next;
      },
      { replace: true },
    );
  }, [q, setParams]);
  return { typed, setTyped, q, params, setParams };
}
