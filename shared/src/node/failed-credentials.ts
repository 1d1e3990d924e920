/** Refused credentials an address may send in five minutes before it is locked out for the rest of them. */
export const FAILED_CREDENTIALS_PER_5_MIN = 30;

/**
 * express-rate-limit options for guessing at a token: only answers 401 count (a request refused for
 * a bad field is not a guess), 30 in five minutes, the draft-7 RateLimit headers. Typed by shape so
 * shared needs neither Express nor the limiter; spread it into `rateLimit({...})` and add a store or
 * a skip where one is needed. `refuse` makes the service's own 429 error.
 */
export function failedCredentialLimits(refuse: () => Error) {
  return {
    windowMs: 5 * 60_000,
    limit: FAILED_CREDENTIALS_PER_5_MIN,
    skipSuccessfulRequests: true,
    requestWasSuccessful: (_req: unknown, res: { statusCode: number }) => res.statusCode !== 401,
    standardHeaders: 'draft-7' as const,
    legacyHeaders: false,
    handler: (_req: unknown, _res: unknown, next: (err: Error) => void) => next(refuse()),
  };
}
