// The ids in src/extension/constants.ts and package.json must agree. No 'vscode' import here:
// constants.ts is loaded under plain Node.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import {
  Commands,
  CONFIG_SECTION,
  ENVIRONMENTS_VIEW_ID,
  ItemTokens,
  LANGUAGE_PIP_REQUIREMENTS,
  LANGUAGE_PYVENV_CFG,
  Settings,
  TREE_ONLY_COMMANDS,
  VIEW_CONTAINER_ID,
} from '../../../src/extension/constants';

function repoRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json')) || !fs.existsSync(path.join(dir, 'src'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('repository root not found');
    dir = up;
  }
  return dir;
}

const root = repoRoot();
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const contributes = pkg.contributes;
interface MenuEntry { command: string; when?: string; group?: string }
const menus = contributes.menus as Record<string, MenuEntry[]>;

describe('constants agree with package.json', () => {
  test('every command id in constants is contributed, and nothing else is', () => {
    const declared = (contributes.commands as { command: string }[]).map((c) => c.command).sort();
    assert.deepEqual(declared, Object.values(Commands).sort());
  });

  test('every command has the "Venv Manager" category, a localizable title and an icon', () => {
    const nls = JSON.parse(fs.readFileSync(path.join(root, 'package.nls.json'), 'utf8')) as Record<string, string>;
    for (const c of contributes.commands as { command: string; title: string; category: string; icon: string }[]) {
      assert.equal(c.category, 'Venv Manager', c.command);
      assert.match(c.title, /^%command\.\w+\.title%$/, c.command);
      assert.ok(nls[c.title.slice(1, -1)].length > 3, c.command);
      assert.match(c.icon, /^\$\([\w-]+\)$/, c.command);
    }
  });

  test('exactly the tree-only commands are hidden from the command palette', () => {
    const hidden = menus.commandPalette.filter((m) => m.when === 'false').map((m) => m.command).sort();
    assert.deepEqual(hidden, [...TREE_ONLY_COMMANDS].sort());
  });

  test('menus name only contributed commands', () => {
    const known = new Set(Object.values(Commands) as string[]);
    for (const [menu, entries] of Object.entries(menus)) {
      for (const e of entries) assert.ok(known.has(e.command), `${menu}: ${e.command}`);
    }
  });

  test('viewItem patterns use only tokens tree items set', () => {
    const tokens = new Set<string>(Object.values(ItemTokens));
    const used = menus['view/item/context'].flatMap((m) => [...(m.when ?? '').matchAll(/viewItem =~ \/([^/]+)\//g)].map((x) => x[1]));
    assert.ok(used.length > 10);
    for (const token of used) assert.ok(tokens.has(token), `unknown contextValue token ${token}`);
  });

  test('view container and view ids', () => {
    assert.deepEqual(contributes.viewsContainers.activitybar.map((c: { id: string }) => c.id), [VIEW_CONTAINER_ID]);
    assert.deepEqual(contributes.views[VIEW_CONTAINER_ID].map((v: { id: string }) => v.id), [ENVIRONMENTS_VIEW_ID]);
    assert.ok(contributes.viewsWelcome.every((w: { view: string }) => w.view === ENVIRONMENTS_VIEW_ID));
    const nls = JSON.parse(fs.readFileSync(path.join(root, 'package.nls.json'), 'utf8')) as Record<string, string>;
    assert.ok(contributes.viewsWelcome.some((w: { contents: string }) => nls[w.contents.slice(1, -1)].includes(`command:${Commands.createEnvironment}`)));
  });

  test('every setting key in constants is contributed, and nothing else is', () => {
    const declared = Object.keys(contributes.configuration.properties).sort();
    assert.deepEqual(declared, Object.values(Settings).map((k) => `${CONFIG_SECTION}.${k}`).sort());
  });

  test('restricted settings exist', () => {
    for (const key of pkg.capabilities.untrustedWorkspaces.restrictedConfigurations as string[]) {
      assert.ok(key in contributes.configuration.properties, key);
    }
  });

  test('languages and grammars: ids match, grammar files exist and are valid JSON with the declared scope', () => {
    const ids = (contributes.languages as { id: string }[]).map((l) => l.id).sort();
    assert.deepEqual(ids, [LANGUAGE_PIP_REQUIREMENTS, LANGUAGE_PYVENV_CFG].sort());
    for (const g of contributes.grammars as { language: string; scopeName: string; path: string }[]) {
      const grammar = JSON.parse(fs.readFileSync(path.join(root, g.path), 'utf8'));
      assert.equal(grammar.scopeName, g.scopeName);
      assert.ok(ids.includes(g.language));
    }
    for (const l of contributes.languages as { configuration: string }[]) {
      JSON.parse(fs.readFileSync(path.join(root, l.configuration), 'utf8'));
    }
  });

  test('icons: view container and every item state, light and dark', () => {
    assert.ok(fs.existsSync(path.join(root, contributes.viewsContainers.activitybar[0].icon)));
    for (const state of ['env-ok', 'env-broken', 'env-active']) {
      for (const theme of ['light', 'dark']) {
        const svg = fs.readFileSync(path.join(root, 'media', `${state}-${theme}.svg`), 'utf8');
        assert.match(svg, /^<svg [^>]*viewBox="0 0 16 16"/);
      }
    }
  });

  test('every %placeholder% in package.json has an English string in package.nls.json, and no string is unused', () => {
    const nls = JSON.parse(fs.readFileSync(path.join(root, 'package.nls.json'), 'utf8')) as Record<string, string>;
    const used = [...JSON.stringify(pkg).matchAll(/"%([^"%]+)%"/g)].map((m) => m[1]);
    assert.ok(used.length > 20);
    for (const key of used) assert.ok(typeof nls[key] === 'string' && nls[key].length > 0, key);
    assert.deepEqual(Object.keys(nls).sort(), [...new Set(used)].sort());
  });

  test('constants.ts does not import vscode', () => {
    const text = fs.readFileSync(path.join(root, 'src', 'extension', 'constants.ts'), 'utf8');
    assert.doesNotMatch(text, /from ['"]vscode['"]|require\(['"]vscode['"]\)/);
  });
});
