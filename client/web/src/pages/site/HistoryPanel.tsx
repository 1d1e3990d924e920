import { Box, Button, Chip, List, ListItem, ListItemIcon, ListItemText, Typography } from '@mui/material';
import { useState } from 'react';
import { HISTORY_KINDS, type HistoryKind, type SiteHistoryEvent, type SiteHistoryResponse } from '@meterit/shared';
import { api } from '../../api/client';
import { Link } from '../../components/Link';
import { RangeSelect } from '../../components/RangeControls';
import { EmptyState, Loadable } from '../../components/StateViews';
import { usePoll } from '../../components/usePoll';
import { RANGES, type RangeKey } from '../../format';
import { eventWords, historyTime, KIND_LABELS } from './history/event-words';
import { EventIcon } from './history/icons';

const PAGE = 50;

type Colour = 'error' | 'warning' | 'success' | 'info' | 'primary' | 'secondary';
function colourOf(e: SiteHistoryEvent): Colour {
  switch (e.type) {
    case 'uplink_outage':
      return 'error';
    case 'collection_stopped':
      return 'warning';
    case 'collection_started':
    case 'alert_resolved':
      return 'success';
    case 'agent_started':
      return 'info';
    case 'alert_fired':
      return e.severity === 'critical' ? 'error' : e.severity === 'warning' ? 'warning' : 'info';
    default:
      return 'secondary';
  }
}

function HistoryEvent({ e }: { e: SiteHistoryEvent }) {
  const { title, detail } = eventWords(e);
  return (
    <ListItem
      divider
      alignItems="flex-start"
      data-testid="history-event"
      data-type={e.type}
      sx={{ px: { xs: 0, sm: 1 } }}
    >
      <ListItemIcon sx={{ minWidth: 40, mt: 0.5 }}>
        <EventIcon type={e.type} color={colourOf(e)} />
      </ListItemIcon>
      <ListItemText
        primary={
          e.kind === 'alert' ? (
            <Link to={`/alerts/${e.alert_id}`} sx={{ fontWeight: 600 }}>
              {title}
            </Link>
          ) : (
            <Typography component="span" sx={{ fontWeight: 600 }}>
              {title}
            </Typography>
          )
        }
        secondary={
          <>
            <Typography component="span" variant="body2" sx={{ display: 'block', overflowWrap: 'anywhere' }}>
              {detail}
            </Typography>
            <Typography component="time" variant="caption" color="text.secondary" dateTime={e.at}>
              {historyTime(e.at)}
            </Typography>
          </>
        }
      />
    </ListItem>
  );
}

/** The site's timeline: outages, collection stops and starts, agent restarts, key changes and alerts, newest first. */
export function HistoryPanel({ siteId }: { siteId: number }) {
  const [range, setRange] = useState<RangeKey>('7d');
  const [kinds, setKinds] = useState<HistoryKind[]>([...HISTORY_KINDS]);
  const [limit, setLimit] = useState(PAGE);
  const rangeMs = RANGES.find((r) => r.key === range)?.ms ?? 7 * 86_400_000;
  const state = usePoll(
    async () =>
      (
        await api.get<SiteHistoryResponse>(`/api/sites/${siteId}/history`, {
          params: { from: new Date(Date.now() - rangeMs).toISOString(), kind: kinds.join(','), limit },
        })
      ).data,
    [siteId, range, kinds.join(','), limit],
    60_000,
  );
  const toggle = (k: HistoryKind) => {
    setLimit(PAGE);
    // Turning the last one off shows them all again rather than an empty list.
    setKinds((now) =>
      now.includes(k) ? (now.length === 1 ? [...HISTORY_KINDS] : now.filter((x) => x !== k)) : [...now, k],
    );
  };
  return (
    <Box>
      <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap', alignItems: 'center', mb: 1 }}>
        <RangeSelect value={range} onChange={(r) => (setRange(r), setLimit(PAGE))} />
        <Box role="group" aria-label="Show kinds" sx={{ display: 'flex', gap: 0.5, flexWrap: 'wrap' }}>
          {HISTORY_KINDS.map((k) => (
            <Chip
              key={k}
              label={KIND_LABELS[k]}
              size="small"
              color={kinds.includes(k) ? 'primary' : 'default'}
              variant={kinds.includes(k) ? 'filled' : 'outlined'}
              onClick={() => toggle(k)}
              aria-pressed={kinds.includes(k)}
              data-testid={`history-kind-${k}`}
            />
          ))}
        </Box>
      </Box>
      <Loadable state={state} what="the site's history">
        {(data) =>
          data.events.length === 0 ? (
            <EmptyState title="Nothing happened in this range">
              No outage, stop or start of collection, agent restart, key change or alert.
            </EmptyState>
          ) : (
            <>
              <List dense aria-label="site history" data-testid="history">
                {data.events.map((e) => (
                  <HistoryEvent key={e.id} e={e} />
                ))}
              </List>
              {data.next_offset !== null && limit < 500 ? (
                <Button size="small" onClick={() => setLimit((l) => Math.min(500, l + PAGE))} sx={{ mt: 1 }}>
                  Show older events
                </Button>
              ) : null}
            </>
          )
        }
      </Loadable>
    </Box>
  );
}
