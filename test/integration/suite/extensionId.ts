import * as fs from 'node:fs';
import * as path from 'node:path';

/** `publisher.name` of our package.json, read from the extension folder the host loaded. */
export function ourExtensionId(): string {
  const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', '..', '..', '..', 'package.json'), 'utf8'));
  return `${pkg.publisher}.${pkg.name}`;
}
