import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The Markdown files whose commands and links the tests hold to account. */
export async function documentationFiles(root = '.'): Promise<string[]> {
  const docs = (await readdir(join(root, 'docs')))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`);
  return ['README.md', ...docs];
}

/** A command line found in a Markdown file, and where. */
export interface DocCommand {
  file: string;
  line: number;
  command: string;
}

/** A fenced code block: its language, its first content line (1-based) and its lines. */
interface CodeBlock {
  language: string;
  line: number;
  lines: string[];
}

const FENCE = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)/;

/** The text's lines outside fenced code blocks (others blanked, so line numbers hold). */
function splitBlocks(text: string): { prose: string[]; blocks: CodeBlock[] } {
  const prose: string[] = [];
  const blocks: CodeBlock[] = [];
  let open: { fence: string; indent: number; block: CodeBlock } | undefined;
  text.split('\n').forEach((line, index) => {
    const fence = FENCE.exec(line);
    if (open) {
      prose.push('');
      if (fence && fence[2]!.startsWith(open.fence) && line.trim() === fence[2]) open = undefined;
      else open.block.lines.push(line.slice(Math.min(open.indent, line.search(/\S|$/))));
      return;
    }
    if (fence) {
      const block = { language: fence[3] ?? '', line: index + 2, lines: [] };
      blocks.push(block);
      open = { fence: fence[2]!, indent: fence[1]!.length, block };
      prose.push('');
      return;
    }
    prose.push(line);
  });
  return { prose, blocks };
}

/** Drops a shell comment: a `#` at the start or after white space, outside quotes. */
function stripComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const char = line[i]!;
    if (quote) {
      if (char === quote) quote = undefined;
    } else if (char === "'" || char === '"') quote = char;
    else if (char === '#' && (i === 0 || /\s/.test(line[i - 1]!))) return line.slice(0, i);
  }
  return line;
}

/**
 * Every command line of the `sh` code blocks (continuations joined, comments dropped) and every
 * inline `npm ...` code span of the prose.
 */
export function extractCommands(file: string, text: string): DocCommand[] {
  const { prose, blocks } = splitBlocks(text);
  const commands: DocCommand[] = [];
  for (const block of blocks) {
    if (!['sh', 'bash', 'shell', 'console'].includes(block.language)) continue;
    let pending = '';
    let start = 0;
    block.lines.forEach((raw, index) => {
      const line = stripComment(raw).trimEnd();
      if (pending === '') start = block.line + index;
      if (line.endsWith('\\')) {
        pending += `${line.slice(0, -1).trim()} `;
        return;
      }
      const command = `${pending}${line.trim()}`.replace(/\s+/g, ' ').trim();
      pending = '';
      if (command !== '') commands.push({ file, line: start, command });
    });
  }
  prose.forEach((line, index) => {
    for (const match of line.matchAll(/`(npm [^`]+)`/g))
      commands.push({ file, line: index + 1, command: match[1]!.trim() });
  });
  return commands.sort((a, b) => a.line - b.line);
}

/** A link of a Markdown file to a file or a heading, and where. */
export interface DocLink {
  file: string;
  line: number;
  target: string;
}

/** Every link and image of the prose (`[text](target)`), code spans and blocks left out. */
export function extractLinks(file: string, text: string): DocLink[] {
  const { prose } = splitBlocks(text);
  const links: DocLink[] = [];
  prose.forEach((line, index) => {
    const withoutCode = line.replace(/`[^`]*`/g, '');
    for (const match of withoutCode.matchAll(
      /!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g,
    ))
      links.push({ file, line: index + 1, target: match[1]! });
  });
  return links;
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
export function githubSlug(heading: string): string {
  return heading
    .replace(/<[^>]+>/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .toLowerCase()
    .trim()
    .replace(/[^\p{L}\p{N}\p{M}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** Every heading anchor of a Markdown file, with GitHub's `-1`, `-2` for repeated headings. */
export function headingAnchors(text: string): Set<string> {
  const { prose } = splitBlocks(text);
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of prose) {
    const heading = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const slug = githubSlug(heading[1]!);
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/** A Markdown file's text by path. */
export async function readDoc(path: string): Promise<string> {
  return readFile(path, 'utf8');
}
