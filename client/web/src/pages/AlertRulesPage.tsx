import { Box, Button, Typography } from '@mui/material';
import { useState } from 'react';
import type { AlertRuleInfo, AlertRulesResponse } from '@meterit/shared';
import { api, errorText } from '../api/client';
import { Link } from '../components/Link';
import { ErrorNote, Loadable } from '../components/StateViews';
import { usePoll } from '../components/usePoll';
import { can, useAuth } from '../store/auth';
import { RuleDialog } from './alert-rules/RuleDialog';
import { RulesTable } from './alert-rules/RulesTable';

export function AlertRulesPage() {
  const user = useAuth((s) => s.user);
  const canEdit = can.manageMeters(user);
  const [editing, setEditing] = useState<AlertRuleInfo | 'new'>();
  const [error, setError] = useState<string>();
  const state = usePoll(async () => (await api.get<AlertRulesResponse>('/api/alert-rules')).data.rules, []);
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
        {(rules) => (
          <RulesTable rules={rules} canEdit={canEdit} onToggle={(r) => void toggle(r)} onEdit={(r) => setEditing(r)} />
        )}
      </Loadable>
      {editing ? (
        <RuleDialog
          rule={editing === 'new' ? undefined : editing}
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
