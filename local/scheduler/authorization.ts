import { arn } from '../account.js';
import type { IamCall, ServiceMapping, ServiceRequest } from '../iam/authorize.js';

const VERBS: Record<string, string> = {
  POST: 'Create',
  PUT: 'Update',
  GET: 'Get',
  DELETE: 'Delete',
};
const TAG_VERBS: Record<string, string> = {
  GET: 'ListTagsForResource',
  POST: 'TagResource',
  DELETE: 'UntagResource',
};

/** The IAM call of a Scheduler REST request: `scheduler:<Operation>` on the schedule or group. */
export function schedulerCalls(request: ServiceRequest): IamCall[] {
  const [collection, name, ...rest] = request.url.pathname
    .split('/')
    .filter(Boolean)
    .map(decodeURIComponent);
  const verb = VERBS[request.method];
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(request.body.toString('utf8') || '{}') as Record<string, unknown>;
  } catch {
    // the service answers the malformed body itself
  }
  if (collection === 'schedules' && name !== undefined && verb) {
    const group =
      request.url.searchParams.get('groupName') ??
      (typeof body.GroupName === 'string' ? body.GroupName : 'default');
    return [
      {
        action: `scheduler:${verb}Schedule`,
        resource: arn('scheduler', request.region, `schedule/${group}/${name}`),
      },
    ];
  }
  if (collection === 'schedule-groups' && name !== undefined && verb)
    return [
      {
        action: `scheduler:${verb}ScheduleGroup`,
        resource: arn('scheduler', request.region, `schedule-group/${name}`),
      },
    ];
  if (collection === 'tags' && name !== undefined && TAG_VERBS[request.method])
    return [
      { action: `scheduler:${TAG_VERBS[request.method]}`, resource: [name, ...rest].join('/') },
    ];
  return [
    {
      action:
        collection === 'schedule-groups'
          ? 'scheduler:ListScheduleGroups'
          : 'scheduler:ListSchedules',
      resource: '*',
    },
  ];
}

/** How Scheduler's REST routes map to IAM (a schedule's group is in the query or the body). */
export const SCHEDULER_AUTHORIZATION: ServiceMapping = {
  readsBody: true,
  calls: schedulerCalls,
  denied: { code: 'AccessDeniedException', status: 403 },
};
