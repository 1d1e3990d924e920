import { Chip, Stack, Switch, TableCell, TableRow, Typography } from '@mui/material';
import type { AlertRuleInfo } from '@meterit/shared';
import { describeRule, KIND_LABEL } from './rule-form';
import { DataTable, EditCell } from '../../components/DataTable';

/** Every rule with its switch; edit opens the rule dialog. */
export function RulesTable({
  rules,
  canEdit,
  onToggle,
  onEdit,
}: {
  rules: AlertRuleInfo[];
  canEdit: boolean;
  onToggle(rule: AlertRuleInfo): void;
  onEdit(rule: AlertRuleInfo): void;
}) {
  return (
    <DataTable label="alert rules" columns={['On', 'Rule', 'Condition', 'Recipients', canEdit ? '' : null]}>
      {rules.map((r) => (
        <TableRow key={r.id} hover data-testid={`rule-row-${r.id}`}>
          <TableCell>
            <Switch
              checked={r.enabled}
              disabled={!canEdit}
              onChange={() => onToggle(r)}
              slotProps={{ input: { 'aria-label': `enable ${r.name}` } }}
            />
          </TableCell>
          <TableCell>
            <Typography sx={{ fontWeight: 600 }} variant="body2">
              {r.name}
            </Typography>
            <Stack direction="row" spacing={0.5}>
              {r.builtin ? (
                <Chip size="small" variant="outlined" label="built-in" />
              ) : (
                <Chip size="small" variant="outlined" label={KIND_LABEL[r.kind] ?? r.kind} />
              )}
              <Chip size="small" variant="outlined" label={r.severity} />
            </Stack>
          </TableCell>
          <TableCell>{describeRule(r)}</TableCell>
          <TableCell>
            {r.recipients.length ? r.recipients.join(', ') : 'default'}
            {r.webhook_url ? ' + webhook' : ''}
          </TableCell>
          {canEdit ? <EditCell onEdit={() => onEdit(r)} /> : null}
        </TableRow>
      ))}
    </DataTable>
  );
}
