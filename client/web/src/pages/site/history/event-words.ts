import type { HistoryKind, SiteHistoryEvent } from '@meterit/shared';
import { duration } from '@meterit/shared/words';
import { viewerTimeZone } from '../../../format';

export const KIND_LABELS: Record<HistoryKind, string> = {
  outage: 'Outages',
  collection: 'Collection',
  agent: 'Agent restarts',
  key: 'API keys',
  alert: 'Alerts',
};

let timeFormat: Intl.DateTimeFormat | undefined;
/** A moment in the viewer's time zone, to the second ("3 Dec 2026, 14:05:12"). */
export function historyTime(iso: string): string {
  timeFormat ??= new Intl.DateTimeFormat(undefined, {
    dateStyle: 'medium',
    timeStyle: 'medium',
    timeZone: viewerTimeZone(),
  });
  return timeFormat.format(new Date(iso));
}

/** One event as a title and a line of detail, in the words an operator uses. */
export function eventWords(e: SiteHistoryEvent): { title: string; detail: string } {
  switch (e.type) {
    case 'uplink_outage': {
      const seen = e.sources
        .map((s) => (s === 'agent_reported' ? 'reported by the agent' : 'no heartbeat'))
        .join(' and ');
      return e.ongoing
        ? {
            title: `Uplink down for ${duration(e.duration_s * 1000)}, still going on`,
            detail: `Since ${historyTime(e.at)} · ${seen}`,
          }
        : {
            title: `Uplink down for ${duration(e.duration_s * 1000)}`,
            detail: `${historyTime(e.at)} – ${historyTime(e.to)} · ${seen}`,
          };
    }
    case 'collection_stopped':
      return {
        title: 'Collection stopped',
        detail: e.reason ? `Reason: “${e.reason}”` : 'No reason given',
      };
    case 'collection_started':
      return { title: 'Collection started', detail: e.reason ? `Reason: “${e.reason}”` : 'No reason given' };
    case 'agent_started':
      if (!e.restart) return { title: 'Agent started', detail: `Version ${e.version}` };
      return e.previous_version && e.previous_version !== e.version
        ? { title: 'Agent restarted on a new version', detail: `Version ${e.previous_version} → ${e.version}` }
        : { title: 'Agent restarted', detail: `Version ${e.version}` };
    case 'key_created':
      return e.rotation
        ? { title: 'API key rotated', detail: `New key ${e.key_prefix}…; the older keys stop after their grace period` }
        : { title: 'API key created', detail: `Key ${e.key_prefix}…` };
    case 'key_revoked':
      return { title: 'API key revoked', detail: `Key ${e.key_prefix}… no longer works` };
    case 'alert_fired':
      return { title: `Alert fired: ${e.title}`, detail: `${e.rule_name} · ${e.severity}` };
    case 'alert_resolved':
      return { title: `Alert resolved: ${e.title}`, detail: e.rule_name };
  }
}
