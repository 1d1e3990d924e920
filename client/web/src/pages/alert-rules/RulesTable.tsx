import { Alert, Chip, Stack, Switch, TableCell, TableRow, Typography } from '@mui/material';
import type { AlertRuleInfo } from '@meterit/shared';
import { describeRule, KIND_LABEL, recipientsText } from './rule-form';
import { DataTable, EditCell } from '../../components/DataTable';

/** Every rule with its switch; edit opens the rule dialog. */
export function RulesTable({
  rules,
  defaultRecipients,
  canEdit,
  onToggle,
  onEdit,
}: {
  rules: AlertRuleInfo[];
  /** ALERT_EMAIL_TO, for the rules that name nobody. */
  defaultRecipients: string[];
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
          <TableCell data-testid="rule-recipients">
            <RecipientsText rule={r} defaults={defaultRecipients} />
          </TableCell>
          {canEdit ? <EditCell onEdit={() => onEdit(r)} /> : null}
        </TableRow>
      ))}
    </DataTable>
  );
}

function RecipientsText({ rule, defaults }: { rule: AlertRuleInfo; defaults: string[] }) {
  const { text, missing } = recipientsText(rule, defaults);
  if (!missing) return <>{text}</>;
  return (
    <Alert severity="warning" variant="outlined" sx={{ py: 0, px: 1 }} data-testid="no-recipients">
      {text}
    </Alert>
  );
}
