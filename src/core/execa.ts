/**
 * execa, loaded on first use. The product bundles keep execa in its own file (dist/execa.js), so
 * activating the extension or loading the library does not parse ~100 KB that is only needed once a
 * Python process is actually started (creating, seeding, upgrading). A plain require (not import())
 * keeps this working in every extension host, which loads extensions as CommonJS.
 */
export type Execa = typeof import('execa').execa;

let loaded: Execa | undefined;

export async function loadExeca(): Promise<Execa> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded ??= (require('execa') as typeof import('execa')).execa;
  return loaded;
}
