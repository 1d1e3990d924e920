import { Alert, Box, Stack, TableCell, TableRow, Typography } from '@mui/material';
import { useState } from 'react';
import { api } from '../api/client';
import { fmtAgo, fmtDateTime, fmtValue } from '../format';
import { DataTable } from './DataTable';
import { SelectField } from './SelectField';
import { EmptyState, Loadable } from './StateViews';
import { MarkChip, type ChipMarks } from './StatusChip';
import { usePoll } from './usePoll';
import type {
  CommissioningPoint,
  CommissioningResponse,
  CommissioningStatus,
  StoredCommissioningReport,
} from '@meterit/shared';

type Status = CommissioningStatus;

const MARK: ChipMarks<Status> = {
  pass: { label: 'PASS', color: 'success' },
  warn: { label: 'WARN', color: 'warning' },
  fail: { label: 'FAIL', color: 'error' },
};

function Mark({ status }: { status: Status }) {
  return (
    <MarkChip
      marks={MARK}
      status={status}
      outlined={status === 'pass'}
      sx={{ fontWeight: 700, minWidth: 58 }}
      data-status={status}
    />
  );
}

function pointStatus(p: CommissioningPoint): Status {
  if (!p.answered) return 'fail';
  return p.quality === 'good' ? 'pass' : 'warn';
}

function Report({ r }: { r: StoredCommissioningReport }) {
  return (
    <Box data-testid="commissioning-report">
      <Alert severity={r.passed ? (r.summary.warn > 0 ? 'warning' : 'success') : 'error'} sx={{ mb: 2 }}>
        {r.passed ? 'Commissioning passed' : 'Commissioning failed'}: {r.summary.pass} passed, {r.summary.warn}{' '}
        warning(s), {r.summary.fail} failed — run on {fmtDateTime(r.created_at)} (received {fmtAgo(r.received_at)}),
        agent {r.agent_version}.
        {r.passed
          ? null
          : ' Fix the lines marked FAIL on site and run scripts/setup-site again; a new report replaces this one here.'}
      </Alert>
      <DataTable
        label="commissioning checks"
        sx={{ mb: 2 }}
        columns={[{ head: 'Result', sx: { width: 80 } }, 'Check', 'What was found', 'What to do']}
      >
        {r.report.lines.map((l, i) => (
          <TableRow key={`${i}-${l.check}`} data-testid={`commissioning-line-${l.status}`}>
            <TableCell>
              <Mark status={l.status} />
            </TableCell>
            <TableCell sx={{ fontWeight: 600 }}>{l.check}</TableCell>
            <TableCell sx={{ wordBreak: 'break-word' }}>{l.detail}</TableCell>
            <TableCell sx={{ wordBreak: 'break-word' }}>{l.status !== 'pass' && l.fix ? l.fix : '—'}</TableCell>
          </TableRow>
        ))}
      </DataTable>
      {r.report.meters.length > 0 ? (
        <DataTable
          label="commissioned meters and points"
          columns={['Meter', 'Data point', 'Result', 'Value', 'Quality', { head: 'Response', align: 'right' }]}
        >
          {r.report.meters.flatMap((m) =>
            m.points.map((p, j) => (
              <TableRow key={`${m.id}-${p.name}`}>
                {j === 0 ? (
                  <TableCell rowSpan={m.points.length} sx={{ verticalAlign: 'top' }}>
                    <Typography sx={{ fontWeight: 600 }}>{m.name || m.id}</Typography>
                    <Typography variant="caption" color="text.secondary" component="div">
                      {m.id} · device {m.device_id} at {m.address}
                    </Typography>
                    <Typography variant="caption" color="text.secondary" component="div">
                      ReadPropertyMultiple:{' '}
                      {m.rpm_supported === null ? 'unknown' : m.rpm_supported ? 'yes' : 'no (read point by point)'}
                    </Typography>
                  </TableCell>
                ) : null}
                <TableCell>{p.name}</TableCell>
                <TableCell>
                  <Mark status={pointStatus(p)} />
                </TableCell>
                <TableCell>
                  {p.answered ? fmtValue(p.value, p.unit) : `no answer${p.error ? ` (${p.error})` : ''}`}
                </TableCell>
                <TableCell>{p.quality ?? '—'}</TableCell>
                <TableCell align="right">{Math.round(p.response_ms)} ms</TableCell>
              </TableRow>
            )),
          )}
        </DataTable>
      ) : (
        <Typography color="text.secondary">No meters were found or read during this commissioning.</Typography>
      )}
    </Box>
  );
}

/** The installer's commissioning reports for a site: the newest in full, older ones on demand. */
export function CommissioningPanel({ siteId }: { siteId: number }) {
  const state = usePoll(
    async () => (await api.get<CommissioningResponse>(`/api/sites/${siteId}/commissioning`)).data,
    [siteId],
    60_000,
  );
  const [chosen, setChosen] = useState<number | 'latest'>('latest');
  const older = usePoll(
    async () =>
      chosen === 'latest'
        ? null
        : (await api.get<{ report: StoredCommissioningReport }>(`/api/sites/${siteId}/commissioning/${chosen}`)).data
            .report,
    [siteId, chosen],
  );
  return (
    <Loadable state={state} what="commissioning reports">
      {(data) =>
        data.latest === null ? (
          <EmptyState title="No commissioning report yet">
            On the site&apos;s machine, run <code>scripts/setup-site</code> from the MeterIT folder with this
            site&apos;s API key (Sites → this site → rotate key if you no longer have it). It checks the machine, finds
            the meters and uploads its report here.
          </EmptyState>
        ) : (
          <Box>
            {data.reports.length > 1 ? (
              <Stack direction="row" sx={{ mb: 2 }}>
                <SelectField
                  size="small"
                  label="Report"
                  value={chosen}
                  onChange={(e) => setChosen(e.target.value === 'latest' ? 'latest' : Number(e.target.value))}
                  sx={{ minWidth: 280 }}
                  options={[
                    { value: 'latest', label: `Latest (${fmtDateTime(data.latest.created_at)})` },
                    ...data.reports.slice(1).map((r) => ({
                      value: r.id,
                      label: `${fmtDateTime(r.created_at)} — ${r.passed ? 'passed' : `${r.summary.fail} failed`}`,
                    })),
                  ]}
                />
              </Stack>
            ) : null}
            {chosen === 'latest' ? (
              <Report r={data.latest} />
            ) : (
              <Loadable state={{ ...older, data: older.data ?? undefined }} what="the report">
                {(r) => <Report r={r} />}
              </Loadable>
            )}
          </Box>
        )
      }
    </Loadable>
  );
}
