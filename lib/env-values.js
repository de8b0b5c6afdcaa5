/**
 * The spellings of setting values that more than one reader must agree on: the configuration
 * (lib/config.ts), the deploy check (serverless-plugins/check-deploy-settings.js), the template's
 * CORS settings and the local stack's front door. Plain CommonJS, so the serverless plugins and the
 * preloads of serverless offline's process can require it as it is.
 */
'use strict';
const { URL } = require('node:url');

const TRUE = new Set(['true', '1']);
const FALSE = new Set(['false', '0']);

/**
 * A boolean setting: `true`/`1` or `false`/`0`, in any case and with spaces around; unset or empty is
 * `fallback`; anything else is `undefined` (the caller says what is wrong).
 * @example parseFlag(' TRUE ') === true; parseFlag('yes') === undefined
 */
function parseFlag(raw, fallback = false) {
  if (raw === undefined || raw === null) return fallback;
  const value = String(raw).trim().toLowerCase();
  if (value === '') return fallback;
  if (TRUE.has(value)) return true;
  if (FALSE.has(value)) return false;
  return undefined;
}

/**
 * A list of web origins (`CORS_ORIGINS`), separated by commas or spaces: each `http(s)://host[:port]`
 * with nothing after it, lower-cased as browsers send it. Throws a plain Error naming the bad entry;
 * `*` is refused (a wildcard would hand the API to every page).
 * @example parseOrigins('https://app.example.com, http://localhost:3000')
 */
function parseOrigins(raw) {
  const entries = String(raw ?? '')
    .split(/[\s,]+/)
    .filter(Boolean);
  return entries.map((entry) => {
    let url;
    try {
      url = new URL(entry);
    } catch {
      throw new Error(`"${entry}" is not an origin such as https://app.example.com`);
    }
    const origin = url.origin;
    if (
      (url.protocol !== 'http:' && url.protocol !== 'https:') ||
      entry.replace(/\/$/, '').toLowerCase() !== origin
    ) {
      throw new Error(
        `"${entry}" is not an origin such as https://app.example.com (scheme, host and port only)`,
      );
    }
    return origin;
  });
}

module.exports = { parseFlag, parseOrigins };
