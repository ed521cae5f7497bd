import type { IamCall, ServiceMapping, ServiceRequest } from '../iam/authorize.js';
import { parseFunctionName } from './index.js';
import { functionArn } from './store.js';

/** The IAM action of each REST route, by `<METHOD> <sub-resource>` under `/functions/{name}`. */
const FUNCTION_ROUTES: Record<string, string> = {
  'GET ': 'GetFunction',
  'DELETE ': 'DeleteFunction',
  'GET configuration': 'GetFunctionConfiguration',
  'PUT configuration': 'UpdateFunctionConfiguration',
  'PUT code': 'UpdateFunctionCode',
  'POST invocations': 'InvokeFunction',
  'POST invoke-async': 'InvokeFunction',
  'POST policy': 'AddPermission',
  'GET policy': 'GetPolicy',
  'DELETE policy': 'RemovePermission',
  'PUT event-invoke-config': 'PutFunctionEventInvokeConfig',
  'POST event-invoke-config': 'UpdateFunctionEventInvokeConfig',
  'GET event-invoke-config': 'GetFunctionEventInvokeConfig',
  'DELETE event-invoke-config': 'DeleteFunctionEventInvokeConfig',
};

const TAG_ROUTES: Record<string, string> = {
  GET: 'ListTags',
  POST: 'TagResource',
  DELETE: 'UntagResource',
};

/** The function a name or ARN identifies, as an ARN (unqualified). */
function arnOf(identifier: string, region: string): string | undefined {
  try {
    const parsed = parseFunctionName(identifier, region);
    return functionArn(parsed.region, parsed.name);
  } catch {
    return undefined; // Lambda answers the malformed name itself
  }
}

/** The IAM call of a Lambda REST request, with the function's policy (AddPermission statements). */
export function lambdaCalls(
  request: ServiceRequest,
  functionPolicy: (functionArn: string) => string | undefined,
): IamCall[] {
  const [, collection, identifier, sub] = request.url.pathname
    .split('/')
    .filter(Boolean)
    .map(decodeURIComponent);
  let action: string | undefined;
  let resource: string | undefined;
  if (collection === 'tags' && identifier) {
    action = TAG_ROUTES[request.method];
    resource = identifier;
  } else if (collection === 'functions' && !identifier) {
    action = request.method === 'GET' ? 'ListFunctions' : 'CreateFunction';
    if (action === 'CreateFunction') {
      try {
        const name = (
          JSON.parse(request.body.toString('utf8') || '{}') as { FunctionName?: unknown }
        ).FunctionName;
        resource = typeof name === 'string' ? arnOf(name, request.region) : undefined;
      } catch {
        resource = undefined;
      }
    }
  } else if (collection === 'functions' && identifier) {
    action = FUNCTION_ROUTES[`${request.method} ${sub ?? ''}`];
    resource = arnOf(identifier, request.region);
  }
  if (!action) return [{ action: 'lambda:Unknown', resource: '*' }];
  if (!resource) return [{ action: `lambda:${action}`, resource: '*' }];
  const policy = functionPolicy(resource);
  return [{ action: `lambda:${action}`, resource, ...(policy ? { resourcePolicy: policy } : {}) }];
}

/** How Lambda's REST routes map to IAM (CreateFunction's name is in the body). */
export function lambdaAuthorization(
  functionPolicy: (functionArn: string) => string | undefined,
): ServiceMapping {
  return {
    readsBody: true,
    calls: (request) => lambdaCalls(request, functionPolicy),
    denied: { code: 'AccessDeniedException', status: 403 },
  };
}
