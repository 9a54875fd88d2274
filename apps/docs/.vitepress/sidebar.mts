import type { DefaultTheme } from 'vitepress';

/** A sidebar section from `[text, link]` pairs. */
export function section(text: string, links: [string, string][]): DefaultTheme.SidebarItem {
  return { text, items: links.map(([itemText, link]) => ({ text: itemText, link })) };
}
