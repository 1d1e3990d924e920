import { Alert, Box, Button, Typography } from '@mui/material';
import { useState } from 'react';
import type { AlertRuleInfo, AlertRulesResponse } from '@meterit/shared';
import { api, errorText } from '../api/client';
import { Link } from '../components/Link';
import { ErrorNote, Loadable } from '../components/StateViews';
import { usePoll } from '../components/usePoll';
import { can, useAuth } from '../store/auth';
import { RuleDialog } from './alert-rules/RuleDialog';
import { RulesTable } from './alert-rules/RulesTable';
import { recipientsText } from './alert-rules/rule-form';

export function AlertRulesPage() {
  const user = useAuth((s) => s.user);
  const canEdit = can.manageMeters(user);
  const [editing, setEditing] = useState<AlertRuleInfo | 'new'>();
  const [error, setError] = useState<string>();
  const state = usePoll(async () => (await api.get<AlertRulesResponse>('/api/alert-rules')).data, []);
  const toggle = async (r: AlertRuleInfo) => {
    try {
      await api.patch(`/api/alert-rules/${r.id}`, { enabled: !r.enabled });
      state.reload();
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <Box>
      <Box sx={{ display: 'flex', gap: 2, alignItems: 'center', mb: 2 }}>
        <Typography sx={{ fontWeight: 700, flex: 1 }} variant="h5">
          Alert rules
        </Typography>
        <Link to="/alerts">Alerts</Link>
        <Link to="/alerts/outbox">Outbox</Link>
        {canEdit ? (
          <Button variant="contained" onClick={() => setEditing('new')}>
            New rule
          </Button>
        ) : null}
      </Box>
      <ErrorNote error={error} sx={{ mb: 2 }} />
      <Loadable state={state} what="rules">
        {({ rules, default_recipients }) => {
          const unsent = rules.filter((r) => r.enabled && recipientsText(r, default_recipients).missing);
          return (
            <>
              {unsent.length > 0 ? (
                <Alert severity="warning" sx={{ mb: 2 }} data-testid="recipients-warning">
                  {unsent.length === 1 ? 'One enabled rule e-mails' : `${unsent.length} enabled rules e-mail`} nobody:
                  no recipients are set on {unsent.length === 1 ? 'it' : 'them'} and ALERT_EMAIL_TO is empty. Set them
                  on the rule, or ALERT_EMAIL_TO on the client system.
                </Alert>
              ) : null}
              <RulesTable
                rules={rules}
                defaultRecipients={default_recipients}
                canEdit={canEdit}
                onToggle={(r) => void toggle(r)}
                onEdit={(r) => setEditing(r)}
              />
            </>
          );
        }}
      </Loadable>
      {editing ? (
        <RuleDialog
          rule={editing === 'new' ? undefined : editing}
          defaultRecipients={state.data?.default_recipients ?? []}
          onClose={() => setEditing(undefined)}
          onSaved={() => {
            setEditing(undefined);
            state.reload();
          }}
        />
      ) : null}
    </Box>
  );
}
