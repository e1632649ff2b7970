import * as vscode from 'vscode';
import { CfgEntryItem, PathEntryItem } from '../tree/items';

/** Copies a cfg value or a path shown under an environment (tree-only). */
export async function copyValueCommand(item: CfgEntryItem | PathEntryItem): Promise<string | undefined> {
  const value = item instanceof CfgEntryItem ? item.entry.value : item instanceof PathEntryItem ? item.target : undefined;
  if (value === undefined) return undefined;
  await vscode.env.clipboard.writeText(value);
  return value;
}
