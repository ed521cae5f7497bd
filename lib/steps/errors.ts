/** A step stopped for a reason the user can act on; the message says what to do. */
export class StepError extends Error {
  override name = 'StepError';
}

/** The AWS credentials are no longer valid (expired session or token). */
export class CredentialsExpiredError extends StepError {
  override name = 'CredentialsExpiredError';
}

/** AWS kept throttling a call after every retry. */
export class ThrottledError extends StepError {
  override name = 'ThrottledError';
}

/** The credentials lack a permission; names the IAM action and the resource. */
export class PermissionError extends StepError {
  override name = 'PermissionError';
  constructor(
    readonly action: string,
    readonly resource: string,
    options?: { cause?: unknown },
  ) {
    super(
      `the AWS credentials may not call ${action} on ${resource}; allow ${action} on that resource ` +
        'in the deploy role (the role whose ARN the repository variable AWS_DEPLOY_ROLE_ARN holds)',
      options,
    );
  }
}

/** A CloudFormation stack is in a state the step cannot continue from without a person. */
export class StackStateError extends StepError {
  override name = 'StackStateError';
}

/** A wait ran past its bound. */
export class TimeoutError extends StepError {
  override name = 'TimeoutError';
}

/** The deployed pipeline did not behave as it should (smoke). */
export class SmokeError extends StepError {
  override name = 'SmokeError';
}
