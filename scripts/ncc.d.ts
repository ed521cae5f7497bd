// @vercel/ncc ships no types: the part of its API that build-actions uses.
declare module '@vercel/ncc' {
  interface NccOptions {
    externals?: string[];
    minify?: boolean;
    sourceMap?: boolean;
    quiet?: boolean;
    target?: string;
    cache?: string | false;
  }
  interface NccOutput {
    code: string;
    assets: Record<string, { source: Buffer | string; permissions?: number }>;
  }
  /** Bundles one entry point and everything it imports into one file. */
  export default function ncc(entry: string, options?: NccOptions): Promise<NccOutput>;
}
