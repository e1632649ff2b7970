import * as fs from 'node:fs';
import { constants } from 'node:fs';

/**
 * The first `maxBytes` of a regular file, or undefined. Opened non-blocking and checked with fstat,
 * so a FIFO or device planted where a config file should be cannot hang discovery. Written with
 * fs callbacks rather than FileHandle promises: three to four times faster when hundreds of small
 * files are read at once (an env's package metadata).
 */
export function readRegularFileHead(file: string, maxBytes: number): Promise<{ bytes: Buffer; size: number } | undefined> {
  return new Promise((resolve) => {
    fs.open(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0), (openErr, fd) => {
      if (openErr) return resolve(undefined);
      const finish = (result: { bytes: Buffer; size: number } | undefined) => fs.close(fd, () => resolve(result));
      fs.fstat(fd, (statErr, st) => {
        if (statErr || !st.isFile()) return finish(undefined);
        const buf = Buffer.alloc(Math.min(st.size, maxBytes));
        const readFrom = (filled: number) => {
          if (filled >= buf.length) return finish({ bytes: buf, size: st.size });
          fs.read(fd, buf, filled, buf.length - filled, filled, (readErr, bytesRead) => {
            if (readErr) return finish(undefined);
            if (bytesRead === 0) return finish({ bytes: buf.subarray(0, filled), size: st.size });
            readFrom(filled + bytesRead);
          });
        };
        readFrom(0);
      });
    });
  });
}
