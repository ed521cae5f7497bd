import type { IncomingMessage } from 'node:http';

/** What a SigV4-signed request says about itself: who signed it, for which region and service. */
export interface CredentialScope {
  accessKeyId: string;
  region: string;
  service: string;
}

const HEADER_CREDENTIAL = /Credential=([^/,\s]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/;

/** Reads the credential scope from the Authorization header. */
export function headerScope(request: IncomingMessage): CredentialScope | undefined {
  const header = request.headers.authorization;
  const match = header ? HEADER_CREDENTIAL.exec(header) : undefined;
  return match ? { accessKeyId: match[1]!, region: match[2]!, service: match[3]! } : undefined;
}

/** Reads the credential scope from the Authorization header or a presigned URL's query. */
export function credentialScope(request: IncomingMessage, url: URL): CredentialScope | undefined {
  const signed = headerScope(request);
  if (signed) return signed;
  const credential = url.searchParams.get('X-Amz-Credential');
  const parts = credential?.split('/');
  if (parts?.length === 5) return { accessKeyId: parts[0]!, region: parts[2]!, service: parts[3]! };
  return undefined;
}
