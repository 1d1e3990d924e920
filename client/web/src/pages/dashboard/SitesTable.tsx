import { TableCell, TableRow, Typography } from '@mui/material';
import type { SiteSummary } from '@meterit/shared';
import { DataTable, type Column } from '../../components/DataTable';
import { Link } from '../../components/Link';
import { SiteStatusChip } from '../../components/StatusChip';
import { fmtAgo, fmtDateTime, fmtDuration, fmtNumber, leftOutText } from '../../format';
import type { OverviewView, PageSize, SortKey } from './overview-state';
import { Pager } from './Pager';

const HEADS: { key: SortKey; head: string; align?: 'right'; title?: string }[] = [
  { key: 'status', head: 'Status', title: 'worst first: offline, degraded, online' },
  { key: 'site', head: 'Site and why' },
  { key: 'heartbeat', head: 'Heartbeat' },
  { key: 'backlog', head: 'Backlog', align: 'right' },
  { key: 'meters', head: 'Meters', align: 'right', title: 'meters answering / configured' },
  { key: 'power', head: 'Power', align: 'right' },
  { key: 'today', head: 'Today', align: 'right' },
];

function SiteRow({ s }: { s: SiteSummary }) {
  return (
    <TableRow hover data-testid={`site-row-${s.site_id}`}>
      <TableCell>
        <SiteStatusChip status={s.status} />
      </TableCell>
      <TableCell sx={{ minWidth: 200, maxWidth: 420 }}>
        <Link sx={{ fontWeight: 600 }} to={`/sites/${s.site_id}`}>
          {s.site_name}
        </Link>
        {s.location ? (
          <Typography variant="caption" color="text.secondary" sx={{ ml: 1 }}>
            {s.location}
          </Typography>
        ) : null}
        {s.reasons.map((r) => (
          <Typography key={r} variant="body2" color="text.secondary" sx={{ fontSize: 13 }}>
            {r}
          </Typography>
        ))}
      </TableCell>
      <TableCell title={fmtDateTime(s.last_heartbeat_at)}>{fmtAgo(s.last_heartbeat_at)}</TableCell>
      <TableCell align="right">
        {s.backlog.readings === null ? '—' : fmtNumber(s.backlog.readings, 0)}
        {s.backlog.age_s ? (
          <Typography variant="caption" color="text.secondary" component="div">
            oldest {fmtDuration(s.backlog.age_s)}
            {s.backlog.growing ? ', growing' : ''}
          </Typography>
        ) : null}
      </TableCell>
      <TableCell align="right">
        {s.meters.answering === null ? `— / ${s.meters.configured}` : `${s.meters.answering} / ${s.meters.configured}`}
      </TableCell>
      <TableCell align="right" sx={{ whiteSpace: 'nowrap' }} title={leftOutText(s)}>
        {s.current_power_kw === null ? '—' : `${fmtNumber(s.current_power_kw, 1)} kW`}
        {s.totals_left_out.length > 0 ? (
          <Typography variant="caption" color="warning.main" component="div">
            excl. {s.totals_left_out.length} meter{s.totals_left_out.length > 1 ? 's' : ''}
          </Typography>
        ) : null}
      </TableCell>
      <TableCell align="right" sx={{ whiteSpace: 'nowrap' }}>
        {s.energy_today_kwh === null ? '—' : `${fmtNumber(s.energy_today_kwh, 1)} kWh`}
      </TableCell>
    </TableRow>
  );
}

/**
 * One page of sites, sorted by the clicked column (a second click turns the direction), with the pager under it.
 * `rows` is already the page; `matching` how many sites the search and filter let through.
 */
export function SitesTable({
  rows,
  matching,
  view,
  onSort,
  onPage,
  onPerPage,
}: {
  rows: SiteSummary[];
  matching: number;
  view: OverviewView;
  onSort(key: SortKey): void;
  onPage(page: number): void;
  onPerPage(perPage: PageSize): void;
}) {
  const columns: Column[] = HEADS.map(({ key, ...head }) => ({
    ...head,
    sort: { active: view.sort === key, direction: view.dir, onSort: () => onSort(key) },
  }));
  return (
    <>
      <DataTable label="sites" columns={columns}>
        {rows.length === 0 ? (
          <TableRow>
            <TableCell colSpan={HEADS.length}>
              <Typography color="text.secondary" data-testid="no-matching-sites">
                No site matches the search and filter.
              </Typography>
            </TableCell>
          </TableRow>
        ) : (
          rows.map((s) => <SiteRow key={s.site_id} s={s} />)
        )}
      </DataTable>
      <Pager count={matching} page={view.page} perPage={view.perPage} onPage={onPage} onPerPage={onPerPage} />
    </>
  );
}
