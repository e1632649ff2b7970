/**
 * Bounded parallelism for file-system work. Both helpers stop starting new work after the first
 * error and only reject once everything already started has finished, so no operation is still
 * running (writing into a folder being cleaned up, say) when the caller handles the error.
 */

/** Maps `items` through `fn` with at most `limit` calls in flight; results keep the input order. */
export async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        out[i] = await fn(items[i]);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await settleAll(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  return out;
}

/** Like Promise.all, but rejects (with the first error) only once every promise has settled. */
export async function settleAll<T extends readonly unknown[] | []>(promises: T): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const results = (await Promise.allSettled(promises)) as PromiseSettledResult<unknown>[];
  const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (rejected) throw rejected.reason;
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as { -readonly [K in keyof T]: Awaited<T[K]> };
}

/**
 * One budget of concurrent operations shared by a whole recursive walk (a per-folder limit would
 * multiply with the depth). After the first failure every later `run` rejects at once with it.
 */
export class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  private failure: { error: unknown } | undefined;

  constructor(private readonly max: number) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.failure) throw this.failure.error;
    if (this.active < this.max) this.active++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve)); // the slot is handed over
    try {
      // It may have failed while this call waited for a slot.
      const failure = this.failure as { error: unknown } | undefined;
      if (failure) throw failure.error;
      return await fn();
    } catch (err) {
      this.failure ??= { error: err };
      throw err;
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}
