import { AwsError } from '../http.js';

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Decodes XML character and entity references. */
function unescape(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-z]+);/g, (whole, ref: string) => {
    if (ref.startsWith('#x')) return String.fromCodePoint(Number.parseInt(ref.slice(2), 16));
    if (ref.startsWith('#')) return String.fromCodePoint(Number.parseInt(ref.slice(1), 10));
    return ENTITIES[ref] ?? whole;
  });
}

/**
 * The bodies of every `<tag>` element, in order. S3's request documents (Delete,
 * CompleteMultipartUpload, CreateBucketConfiguration, VersioningConfiguration) are flat enough
 * that this, not a general parser, is all they need.
 */
export function xmlElements(document: string, tag: string): string[] {
  const pattern = new RegExp(`<${tag}(?:\\s[^>]*)?(?:/>|>([\\s\\S]*?)</${tag}>)`, 'g');
  return [...document.matchAll(pattern)].map((match) => match[1] ?? '');
}

/** The text of the first `<tag>` element, unescaped, or undefined. */
export function xmlText(document: string, tag: string): string | undefined {
  const [body] = xmlElements(document, tag);
  return body === undefined ? undefined : unescape(body);
}

/** Throws MalformedXML unless the body is an XML document with this root element. */
export function checkRoot(document: string, root: string): void {
  if (!new RegExp(`<${root}[\\s>/]`).test(document)) {
    throw new AwsError(
      'MalformedXML',
      `The XML you provided was not well-formed or did not validate against our published schema (expected <${root}>)`,
    );
  }
}
