import { errorCatalog, type ErrorCode } from '../../../contract/errors.ts';

export interface FieldProblem {
  field: string;
  reason: string;
}

/** The one error type services raise. Its status comes from the contract's error catalogue. */
export class AppError extends Error {
  readonly status: number;
  readonly title: string;
  /** Extra response headers, such as Retry-After. */
  headers: Record<string, string> = {};

  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly fieldErrors?: FieldProblem[],
  ) {
    const entry = errorCatalog[code];
    super(message ?? entry.title);
    this.name = 'AppError';
    this.status = entry.status;
    this.title = entry.title;
  }
}

export function createError(code: ErrorCode, message?: string, fieldErrors?: FieldProblem[]): AppError {
  return new AppError(code, message, fieldErrors);
}

/** An error about one field of the request body. */
export function fieldError(code: ErrorCode, field: string, reason: string): AppError {
  return new AppError(code, `${field}: ${reason}`, [{ field: `body.${field}`, reason }]);
}
