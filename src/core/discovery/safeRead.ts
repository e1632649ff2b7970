import { constants, promises as fs } from 'node:fs';

/**
 * The first `maxBytes` of a regular file, or undefined. Opened non-blocking and checked with fstat,
 * so a FIFO or device planted where a config file should be cannot hang discovery.
 */
export async function readRegularFileHead(file: string, maxBytes: number): Promise<{ bytes: Buffer; size: number } | undefined> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch {
    return undefined;
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) return undefined;
    const buf = Buffer.alloc(Math.min(st.size, maxBytes));
    let filled = 0;
    while (filled < buf.length) {
      const { bytesRead } = await handle.read(buf, filled, buf.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return { bytes: buf.subarray(0, filled), size: st.size };
  } catch {
    return undefined;
  } finally {
    await handle.close().catch(() => undefined);
  }
}
