/*
 * A client-side budget: at most `max` calls started in any `windowMs`, callers waiting their turn
 * in order. The CRM adapters keep each connection within the vendor's documented limits with it.
 */

/** A rolling window: at most `max` starts in any `windowMs`. */
export function rollingWindow(max: number, windowMs: number, sleep: (ms: number) => Promise<void>) {
  const starts: number[] = [];
  let chain = Promise.resolve();
  return (): Promise<void> => {
    const turn = chain.then(async () => {
      for (;;) {
        const now = performance.now();
        while (starts.length > 0 && starts[0]! <= now - windowMs) starts.shift();
        if (starts.length < max) {
          starts.push(now);
          return;
        }
        await sleep(starts[0]! + windowMs - now + 1);
      }
    });
    chain = turn;
    return turn;
  };
}
