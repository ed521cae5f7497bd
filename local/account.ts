/** The account ID local AWS puts in every ARN (the one LocalStack users know). */
export const LOCAL_ACCOUNT_ID = '000000000000';

/** An ARN in the local account. */
export function arn(service: string, region: string, resource: string): string {
  return `arn:aws:${service}:${region}:${LOCAL_ACCOUNT_ID}:${resource}`;
}
