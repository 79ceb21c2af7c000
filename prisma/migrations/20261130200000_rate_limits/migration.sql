-- Shared rate-limit counters (rate-limiter-flexible's RateLimiterPostgres layout), so every API replica counts the
-- same requests. One row per "<action>:<address|voter>:<id>" key; `expire` is a Unix time in milliseconds, and an
-- expired row is reset by the next request for its key (or deleted by the limiter's hourly sweep).
CREATE TABLE rate_limits (
  key varchar(255) PRIMARY KEY,
  points integer NOT NULL DEFAULT 0,
  expire bigint
);
