/**
 * What `npm run plan` (lib/plan/stackFile.ts) passes for an encrypted config value, which it cannot decrypt: the
 * config reader accepts it for keys that hold secrets instead of validating it.
 */
export const OFFLINE_SECRET_PLACEHOLDER = "[secret]";
