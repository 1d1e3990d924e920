import { ErrorCode, type ErrorCodeValue, type OperatorErrorCodeValue } from '@meterit/shared';

export type AnyErrorCode = ErrorCodeValue | OperatorErrorCodeValue;

/** An error that the error middleware answers as-is: status, code, a message for people, optional details. */
export class ApiError extends Error {
  constructor(
    public readonly status: number,
    public readonly code: AnyErrorCode,
    message: string,
    public readonly details?: unknown,
    /** Extra top-level fields merged into the JSON body beside `error` (the batch rejection uses it). */
    public readonly extraBody?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const validationFailed = (message: string, details?: unknown) =>
  new ApiError(400, ErrorCode.VALIDATION_FAILED, message, details);
