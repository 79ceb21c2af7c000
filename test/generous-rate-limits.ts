// API rate limits high enough that no test is throttled by its own bursts (API and browser stacks alike); the test
// of rate limiting itself starts an API with low ones.
export const generousRateLimits = {
  CAPTIONER_RATE_LIMIT_UPLOADS_PER_MIN: '100000',
  CAPTIONER_RATE_LIMIT_CAPTIONS_PER_MIN: '100000',
  CAPTIONER_RATE_LIMIT_RATINGS_PER_MIN: '100000',
  CAPTIONER_RATE_LIMIT_PREFERENCES_PER_MIN: '100000',
  CAPTIONER_RATE_LIMIT_SESSIONS_PER_HOUR: '100000',
};
