import { Alert, Box, Button, TableCell, TableRow, TextField, Typography } from '@mui/material';
import { useCallback, useEffect, useState } from 'react';
import type { CreatedMcpToken, McpTokenInfo, McpTokensResponse } from '@meterit/shared';
import { api, errorText, withSession } from '../api/client';
import { fmtDateTime } from '../format';
import { DataTable } from './DataTable';
import { ErrorNote } from './StateViews';
import { PanelDialog } from './PanelDialog';

/** Personal MCP tokens: what an AI assistant uses to act as this user (its role and sites) through /mcp. */
export function McpTokensDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const [tokens, setTokens] = useState<McpTokenInfo[]>([]);
  const [name, setName] = useState('');
  const [days, setDays] = useState('90');
  const [created, setCreated] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async () => {
    try {
      setTokens((await withSession(() => api.get<McpTokensResponse>('/api/auth/tokens'))).data.tokens);
    } catch (err) {
      setError(errorText(err));
    }
  }, []);
  useEffect(() => {
    if (open) void load();
  }, [open, load]);
  const create = async () => {
    setError(null);
    try {
      const { data } = await withSession(() =>
        api.post<CreatedMcpToken>('/api/auth/tokens', { name: name.trim(), expires_in_days: Number(days) }),
      );
      setCreated(data.token);
      setName('');
      await load();
    } catch (err) {
      setError(errorText(err));
    }
  };
  const revoke = async (id: number) => {
    setError(null);
    try {
      await withSession(() => api.delete(`/api/auth/tokens/${id}`));
      await load();
    } catch (err) {
      setError(errorText(err));
    }
  };
  const close = () => {
    setCreated(null);
    setError(null);
    onClose();
  };
  return (
    <PanelDialog title="MCP tokens for AI assistants" open={open} onClose={close}>
      <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }}>
        An assistant connected to <code>/mcp</code> (or to <code>client/mcp/dist/stdio.js</code> with{' '}
        <code>MCP_TOKEN</code>) acts as you, with your role and sites, until the token expires or you revoke it.
      </Typography>
      <ErrorNote error={error} sx={{ mb: 2 }} />
      {created ? (
        <Alert severity="warning" sx={{ mb: 2 }} data-testid="mcp-token-reveal">
          This token is shown <b>only once</b>; only a hash is stored. Copy it into the assistant's configuration now.
          <TextField
            value={created}
            fullWidth
            size="small"
            sx={{ mt: 1 }}
            label="MCP token"
            slotProps={{ input: { readOnly: true, sx: { fontFamily: 'monospace' } } }}
            onFocus={(e) => e.target.select()}
          />
        </Alert>
      ) : null}
      <Box sx={{ display: 'flex', gap: 1, mb: 2, flexWrap: 'wrap' }}>
        <TextField
          label="Token name"
          size="small"
          value={name}
          onChange={(e) => setName(e.target.value)}
          placeholder="Claude Desktop on my laptop"
          sx={{ flex: 1, minWidth: 220 }}
        />
        <TextField
          label="Valid for (days)"
          size="small"
          type="number"
          value={days}
          onChange={(e) => setDays(e.target.value)}
          sx={{ width: 150 }}
        />
        <Button variant="contained" onClick={create} disabled={name.trim() === ''}>
          Create token
        </Button>
      </Box>
      <DataTable outlined={false} columns={['Name', 'Starts with', 'Expires', 'Last used', 'State', '']}>
        {tokens.map((t) => (
          <TableRow key={t.id} data-testid={`mcp-token-${t.id}`}>
            <TableCell>{t.name}</TableCell>
            <TableCell sx={{ fontFamily: 'monospace' }}>{t.prefix}…</TableCell>
            <TableCell>{fmtDateTime(t.expires_at)}</TableCell>
            <TableCell>{t.last_used_at ? fmtDateTime(t.last_used_at) : 'never'}</TableCell>
            <TableCell>{t.state}</TableCell>
            <TableCell align="right">
              {t.state === 'active' ? (
                <Button size="small" color="error" onClick={() => void revoke(t.id)}>
                  Revoke
                </Button>
              ) : null}
            </TableCell>
          </TableRow>
        ))}
        {tokens.length === 0 ? (
          <TableRow>
            <TableCell colSpan={6}>No tokens yet.</TableCell>
          </TableRow>
        ) : null}
      </DataTable>
    </PanelDialog>
  );
}
