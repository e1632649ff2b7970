import * as vscode from 'vscode';
import { CfgEntryItem } from '../tree/items';

/** Opens pyvenv.cfg with the entry's line selected (tree-only). */
export async function openCfgEntryCommand(item: CfgEntryItem): Promise<vscode.TextEditor | undefined> {
  if (!(item instanceof CfgEntryItem) || !item.env.cfgPath) return undefined;
  const document = await vscode.workspace.openTextDocument(vscode.Uri.file(item.env.cfgPath));
  const lineIndex = Math.min(item.entry.line - 1, document.lineCount - 1);
  const line = document.lineAt(lineIndex);
  const keyStart = line.text.indexOf(item.entry.key);
  const selection = keyStart >= 0
    ? new vscode.Selection(lineIndex, keyStart, lineIndex, keyStart + item.entry.key.length)
    : new vscode.Selection(lineIndex, 0, lineIndex, line.text.length);
  return vscode.window.showTextDocument(document, { preview: true, selection });
}
