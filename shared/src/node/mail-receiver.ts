import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** One e-mail as the receiver got it. */
export interface ReceivedMail {
  from: string;
  to: string[];
  /** The Subject header, unfolded, its RFC 2047 encoded words decoded. */
  subject: string;
  /** The whole message with quoted-printable soft breaks and escapes undone, enough to search the body. */
  text: string;
  raw: string;
  at: number;
}

export interface MailReceiver {
  port: number;
  /** For SMTP_URL. */
  url: string;
  /** Every mail accepted so far, in arrival order. */
  mails: ReceivedMail[];
  /** Mails refused with 451 so far (`failFirst`). */
  rejected(): number;
  close(): Promise<void>;
}

/** Undo quoted-printable enough to search a body. */
export function decodeQuotedPrintable(raw: string): string {
  return raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
}

/** The Subject header of a raw message, unfolded and with its RFC 2047 encoded words (UTF-8, Q or B) decoded. */
export function subjectOf(raw: string): string {
  const m = /^Subject: (.*(?:\r?\n[ \t].*)*)/m.exec(raw);
  return (m?.[1] ?? '')
    .replace(/\r?\n[ \t]/g, ' ')
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?UTF-8\?([QB])\?([^?]*)\?=/gi, (_m, enc: string, text: string) =>
      enc.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64').toString('utf8')
        : Buffer.from(
            text
              .replace(/_/g, ' ')
              .replace(/=([0-9A-F]{2})/gi, (_x, h: string) => String.fromCharCode(parseInt(h, 16))),
            'latin1',
          ).toString('utf8'),
    );
}

/**
 * A real SMTP server on loopback (smtp-server, no TLS, no auth) that keeps what it receives, for tests of the
 * alert e-mails. `failFirst`: refuse that many messages with a temporary 451 first (delivery retries).
 */
export async function startMailReceiver(opts: { failFirst?: number; host?: string } = {}): Promise<MailReceiver> {
  const host = opts.host ?? '127.0.0.1';
  const mails: ReceivedMail[] = [];
  let rejected = 0;
  let toFail = opts.failFirst ?? 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (toFail > 0) {
          toFail -= 1;
          rejected += 1;
          const err = new Error('mailbox temporarily unavailable') as Error & { responseCode: number };
          err.responseCode = 451;
          callback(err);
          return;
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          subject: subjectOf(raw),
          text: decodeQuotedPrintable(raw),
          raw,
          at: Date.now(),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    url: `smtp://${host}:${port}`,
    mails,
    rejected: () => rejected,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
