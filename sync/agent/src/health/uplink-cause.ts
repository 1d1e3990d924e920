import type { UplinkCause, UplinkCauseKind } from '@meterit/shared/site-contracts';

// Why the uplink failed, read from the error the uploader recorded (uplink.last_error, sync_log's error_code and
// error_message): the code says which part answered (UPLINK_UNREACHABLE: no HTTP answer at all; AUTH_*, FORBIDDEN,
// HTTP_5xx, UNAVAILABLE: the client system answered), the message carries the socket's own error code
// ("client system unreachable: ECONNREFUSED") or the HTTP status ("client system answered 503: …"). Pure, so the
// dashboard, MCP and the findings name the same cause.

/** Node's and undici's socket and TLS error codes, by what they mean for the technician. */
const SOCKET_CODES: Array<[UplinkCauseKind, RegExp]> = [
  ['dns', /\b(ENOTFOUND|EAI_AGAIN|EAI_FAIL|EAI_NONAME|EAI_NODATA)\b/],
  [
    'tls',
    /\b(CERT_[A-Z_]+|[A-Z_]*SELF_SIGNED_CERT[A-Z_]*|UNABLE_TO_[A-Z_]+|ERR_TLS_[A-Z_]+|ERR_SSL_[A-Z_]+|EPROTO|HOSTNAME_MISMATCH)\b/,
  ],
  ['refused', /\bECONNREFUSED\b/],
  ['timeout', /\b(ETIMEDOUT|UND_ERR_CONNECT_TIMEOUT|UND_ERR_HEADERS_TIMEOUT|UND_ERR_BODY_TIMEOUT)\b|no answer within/],
  ['network', /\b(EHOSTUNREACH|ENETUNREACH|ECONNRESET|EPIPE|ENETDOWN|EHOSTDOWN|UND_ERR_SOCKET|ECONNABORTED)\b/],
];

const WORDS: Record<UplinkCauseKind, { summary: string; advice: string }> = {
  dns: {
    summary: "the client system's name does not resolve (DNS)",
    advice:
      "The agent cannot look up the client system's host name. Check the site router's DNS (or the agent computer's /etc/resolv.conf) and that CLIENT_API_URL is spelt right.",
  },
  tls: {
    summary: "the client system's certificate is refused (TLS)",
    advice:
      "The connection is refused at the TLS handshake: the certificate has expired, does not match the host name, or is not trusted. Check the agent computer's date and time, and ask the operators about the certificate; a proxy that inspects HTTPS causes this too.",
  },
  refused: {
    summary: 'connection refused',
    advice:
      "The client system's address answers, but nothing accepts the connection there (ECONNREFUSED): the client system is stopped or restarting, or CLIENT_API_URL names the wrong port. Ask the operators whether it runs; nothing on the site needs fixing.",
  },
  timeout: {
    summary: 'no answer in time',
    advice:
      "The client system does not answer in time: the site's internet (or cellular) link is down or very slow, or a firewall drops the traffic. Check the router's internet connection and signal.",
  },
  network: {
    summary: 'no route to the client system',
    advice:
      "The connection breaks or has no route (host or network unreachable, reset). Check the site router, its internet connection and the agent computer's network settings (gateway).",
  },
  key_refused: {
    summary: "the site's API key is refused (401)",
    advice:
      "The client system refuses this site's API key: it was rotated or revoked. Ask the operators for a new key and set CLIENT_API_KEY (or run the key rotation), then restart the agent.",
  },
  forbidden: {
    summary: 'the site may not send (403)',
    advice:
      'The client system knows the key but does not allow this site to send: ask the operators to check that the site is active.',
  },
  rate_limited: {
    summary: 'asked to slow down (429)',
    advice: 'The client system asked this site to slow down. Nothing to do on site; the agent retries by itself.',
  },
  server_error: {
    summary: 'the client system fails (5xx)',
    advice:
      'The client system is reachable but answers with a server error. Nothing to do on site: tell the operators; the agent retries by itself and loses nothing.',
  },
  other: {
    summary: 'the last exchange failed',
    advice: 'The last exchange with the client system failed. The sync log shows the error.',
  },
};

/** The likely cause of an uplink error and what to do; null when there is no error. */
export function uplinkCause(error: { code: string; message?: string | null } | null | undefined): UplinkCause | null {
  if (!error) return null;
  const kind = causeKind(error.code, error.message ?? '');
  return { kind, ...WORDS[kind] };
}

function causeKind(code: string, message: string): UplinkCauseKind {
  const status = httpStatus(code, message);
  if (code === 'AUTH_MISSING' || code === 'AUTH_INVALID' || status === 401) return 'key_refused';
  if (code === 'FORBIDDEN' || status === 403) return 'forbidden';
  if (code === 'RATE_LIMITED' || status === 429) return 'rate_limited';
  if (status !== null && status >= 500) return 'server_error';
  if (code === 'UNAVAILABLE') return 'server_error';
  for (const [kind, pattern] of SOCKET_CODES) if (pattern.test(message) || pattern.test(code)) return kind;
  return 'other';
}

/** The HTTP status the client system answered with, from HTTP_503 or "answered 503" / "HTTP 503"; null for none. */
function httpStatus(code: string, message: string): number | null {
  const m = /^HTTP_(\d{3})$/.exec(code) ?? /\b(?:answered|HTTP) (\d{3})\b/.exec(message);
  return m ? Number(m[1]) : null;
}
