/**
 * Splits a string into words the way a POSIX shell would (quotes and backslashes), without
 * expanding anything: flags reach the process as an argument array, never through a shell.
 */
export function splitShellWords(text: string): string[] {
  const words: string[] = [];
  let current = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote === "'") {
      if (ch === "'") quote = null;
      else current += ch;
      continue;
    }
    if (quote === '"') {
      if (ch === '"') quote = null;
      else if (ch === '\\' && i + 1 < text.length && '"\\$`\n'.includes(text[i + 1])) current += text[++i];
      else current += ch;
      continue;
    }
    if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
    } else if (ch === '\\') {
      if (i + 1 >= text.length) throw new Error(`trailing backslash in: ${text}`);
      const next = text[++i];
      if (next !== '\n') current += next;
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
    } else {
      current += ch;
      inWord = true;
    }
  }
  if (quote) throw new Error(`unbalanced ${quote === '"' ? 'double' : 'single'} quote in: ${text}`);
  if (inWord) words.push(current);
  return words;
}
