import { promises as fs } from 'node:fs';
import * as path from 'node:path';

/**
 * Writes a shell start-up file of ours when it is missing or differs from `text` (an older
 * extension version wrote it). Written to a temporary name and renamed, so a shell starting at the
 * same moment reads the old file or the new one, never half of one.
 */
export async function writeStartupFile(file: string, text: string): Promise<void> {
  const current = await fs.readFile(file, 'utf8').catch(() => undefined);
  if (current === text) return;
  await fs.mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(temp, text);
  await fs.rename(temp, file);
}
