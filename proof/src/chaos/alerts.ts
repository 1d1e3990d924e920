// What the operators were told of each queue-limit window: the queue-full alerts and their e-mails.
import { waitUntil } from '../harness/processes.js';
import { OPS_MAILBOX, type System } from './system.js';
import type { QueueLimitWindow } from './verify.js';

/** One queue-limit window as the client system's alert engine reported it. */
export interface QueueLimitAlert {
  /** The alerts of the queue-full rule whose episode began in the window (usually one). */
  alerts: number;
  /** Readings lost, as each alert said when it fired. */
  firedWith: number[];
  firingMails: number;
  resolvedMails: number;
}

/**
 * What the operators heard of each queue-limit window: the queue-full alert whose episode began in it (its `since` is
 * when the agent found the queue full), fired and resolved, with a FIRING and a RESOLVED e-mail in the operators'
 * mailbox. The agent's heartbeats reach the client system only once the uplink is back, so this settles a few
 * seconds after each window; the engine evaluates every second and retries deliveries.
 */
export async function queueLimitAlerts(
  s: System,
  windows: QueueLimitWindow[],
): Promise<{ alerts: QueueLimitAlert[]; unalerted: Array<{ at: number; what: string }> }> {
  interface AlertRow {
    id: number;
    state: string;
    title: string;
    fired_at: Date | null;
  }
  const alertsOf = (w: QueueLimitWindow): Promise<AlertRow[]> =>
    s.client
      .db('alerts as a')
      .join('alert_rules as r', 'r.id', 'a.rule_id')
      .where({ 'r.kind': 'queue_full', 'a.site_id': s.siteId })
      .whereBetween('a.since', [new Date(w.outageAt), new Date(w.to)])
      .orderBy('a.id')
      .select('a.id', 'a.state', 'a.title', 'a.fired_at');
  // Each e-mail links its alert (PUBLIC_URL/alerts/ID): windows may have alerts of the same title.
  const mails = (a: AlertRow, event: 'FIRING' | 'RESOLVED') =>
    s.mail.mails.filter(
      (m) =>
        m.to.includes(OPS_MAILBOX) &&
        m.subject === `[MeterIT] ${event}: ${a.title}` &&
        new RegExp(`/alerts/${a.id}(?!\\d)`).test(m.text),
    ).length;
  const told = (a: AlertRow) =>
    a.state === 'resolved' && a.fired_at !== null && mails(a, 'FIRING') > 0 && mails(a, 'RESOLVED') > 0;
  await waitUntil(
    'every queue-limit window to be alerted and e-mailed',
    async () => {
      for (const w of windows) {
        const rows = await alertsOf(w);
        if (rows.length === 0 || !rows.every(told)) return false;
      }
      return true;
    },
    30_000,
    500,
  ).catch(() => undefined);
  const alerts: QueueLimitAlert[] = [];
  const unalerted: Array<{ at: number; what: string }> = [];
  for (const w of windows) {
    const rows = await alertsOf(w);
    const firedWith = rows.length
      ? (
          (await s.client
            .db('alert_events')
            .whereIn(
              'alert_id',
              rows.map((r) => r.id),
            )
            .where({ type: 'firing' })
            .orderBy('id')
            .pluck('value')) as number[]
        ).map(Number)
      : [];
    alerts.push({
      alerts: rows.length,
      firedWith,
      firingMails: rows.reduce((n, a) => n + mails(a, 'FIRING'), 0),
      resolvedMails: rows.reduce((n, a) => n + mails(a, 'RESOLVED'), 0),
    });
    const at = new Date(w.outageAt).toISOString();
    if (rows.length === 0)
      unalerted.push({
        at: w.outageAt,
        what: `queue limit reached in the outage from ${at}, ${w.dropped} dropped + ${w.refused} refused: no queue-full alert`,
      });
    for (const a of rows.filter((r) => !told(r))) {
      unalerted.push({
        at: w.outageAt,
        what: `queue-full alert ${a.id} of the outage from ${at} ("${a.title}"): state ${a.state}, fired ${a.fired_at ? 'yes' : 'no'}, ${mails(a, 'FIRING')} FIRING and ${mails(a, 'RESOLVED')} RESOLVED e-mails to ${OPS_MAILBOX}`,
      });
    }
    const lost = w.dropped + w.refused;
    // Each episode tells what was lost since the queue filled; episodes of one window do not overlap.
    if (
      rows.length > 0 &&
      (firedWith.length === 0 || firedWith.some((v) => !(v > 0)) || firedWith.reduce((a, b) => a + b, 0) > lost)
    ) {
      unalerted.push({
        at: w.outageAt,
        what: `queue-full alert of the outage from ${at} fired with ${JSON.stringify(firedWith)} readings lost; the agent counted ${lost}`,
      });
    }
  }
  return { alerts, unalerted };
}
