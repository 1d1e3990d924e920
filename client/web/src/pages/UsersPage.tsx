import {
  Alert,
  Box,
  Button,
  Checkbox,
  Chip,
  FormControlLabel,
  TableCell,
  TableRow,
  TextField,
  Typography,
} from '@mui/material';
import { useState } from 'react';
import { USER_ROLES, type CreateUserResponse, type SitesResponse, type UserInfo, type UserRole } from '@meterit/shared';
import { api, errorText } from '../api/client';
import { DataTable, EditCell } from '../components/DataTable';
import { FormDialog } from '../components/FormDialog';
import { SelectField } from '../components/SelectField';
import { EmptyState, Loadable } from '../components/StateViews';
import { usePoll } from '../components/usePoll';
import { fmtAgo, fmtDateTime } from '../format';

const ROLE_TEXT: Record<UserRole, string> = {
  admin: 'Admin — everything, on every site',
  operator: 'Operator — sees data, manages meters',
  viewer: 'Viewer — sees data only',
};
const ROLE_OPTIONS = USER_ROLES.map((r) => ({ value: r, label: ROLE_TEXT[r] }));

function UserDialog({
  user,
  sites,
  onClose,
  onDone,
}: {
  user?: UserInfo;
  sites: { id: number; name: string }[];
  onClose(): void;
  onDone(r?: CreateUserResponse): void;
}) {
  const [email, setEmail] = useState(user?.email ?? '');
  const [name, setName] = useState(user?.name ?? '');
  const [role, setRole] = useState<UserRole>(user?.role ?? 'viewer');
  const [limited, setLimited] = useState(user ? user.site_ids !== null : false);
  const [siteIds, setSiteIds] = useState<number[]>(user?.site_ids ?? []);
  const [password, setPassword] = useState('');
  const [active, setActive] = useState(user?.is_active ?? true);
  const [error, setError] = useState<string>();
  const save = async () => {
    setError(undefined);
    const site_ids = role === 'admin' || !limited ? null : siteIds;
    try {
      if (user) {
        await api.patch(`/api/users/${user.id}`, {
          name: name || null,
          role,
          site_ids,
          is_active: active,
          ...(password ? { password } : {}),
        });
        onDone();
      } else {
        const { data } = await api.post<CreateUserResponse>('/api/users', {
          email,
          name: name || null,
          role,
          site_ids,
          ...(password ? { password } : {}),
        });
        onDone(data);
      }
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <FormDialog
      title={user ? `Edit ${user.email}` : 'New user'}
      submitLabel={user ? 'Save' : 'Create user'}
      onSubmit={save}
      onClose={onClose}
      error={error}
    >
      <TextField
        label="E-mail"
        name="email"
        value={email}
        onChange={(e) => setEmail(e.target.value)}
        fullWidth
        required
        disabled={!!user}
        sx={{ mt: 1, mb: 2 }}
      />
      <TextField
        label="Name"
        name="name"
        value={name}
        onChange={(e) => setName(e.target.value)}
        fullWidth
        sx={{ mb: 2 }}
      />
      <SelectField
        label="Role"
        name="role"
        value={role}
        onChange={(e) => setRole(e.target.value as UserRole)}
        fullWidth
        sx={{ mb: 2 }}
        options={ROLE_OPTIONS}
      />
      {role !== 'admin' ? (
        <>
          <FormControlLabel
            control={<Checkbox checked={limited} onChange={(e) => setLimited(e.target.checked)} />}
            label="Only some sites"
          />
          {limited ? (
            <SelectField
              label="Sites this user sees"
              value={siteIds}
              onChange={(e) =>
                setSiteIds(
                  (typeof e.target.value === 'string'
                    ? e.target.value.split(',')
                    : (e.target.value as unknown as number[])
                  ).map(Number),
                )
              }
              slotProps={{ select: { multiple: true } }}
              fullWidth
              sx={{ mb: 2 }}
              options={sites.map((s) => ({ value: s.id, label: s.name }))}
            />
          ) : null}
        </>
      ) : null}
      <TextField
        label={user ? 'New password (leave empty to keep)' : 'Password (leave empty to generate one)'}
        type="password"
        name="new_password"
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        fullWidth
        helperText="At least 12 characters. A password you set for someone else must be replaced at their next login."
        sx={{ mb: 1 }}
      />
      {user ? (
        <FormControlLabel
          control={<Checkbox checked={active} onChange={(e) => setActive(e.target.checked)} />}
          label="Active (can log in)"
        />
      ) : null}
    </FormDialog>
  );
}

export function UsersPage() {
  const users = usePoll(async () => (await api.get<{ users: UserInfo[] }>('/api/users')).data.users, []);
  const sites = usePoll(
    async () =>
      (await api.get<SitesResponse>('/api/sites', { params: { include_inactive: true } })).data.sites.map((s) => ({
        id: s.site_id,
        name: s.site_name,
      })),
    [],
  );
  const [dialog, setDialog] = useState<UserInfo | 'new'>();
  const [created, setCreated] = useState<CreateUserResponse>();
  const siteName = (id: number) => sites.data?.find((s) => s.id === id)?.name ?? `site ${id}`;
  return (
    <Box>
      <Box sx={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center', mb: 2 }}>
        <Typography sx={{ fontWeight: 700 }} variant="h5">
          Users
        </Typography>
        <Button variant="contained" onClick={() => setDialog('new')}>
          New user
        </Button>
      </Box>
      {created?.initial_password ? (
        <Alert severity="warning" sx={{ mb: 2 }} onClose={() => setCreated(undefined)}>
          Password for {created.user.email}, shown only once:{' '}
          <code style={{ fontSize: 15, wordBreak: 'break-all' }} data-testid="initial-password">
            {created.initial_password}
          </code>
          . Hand it over securely; they choose their own when they first log in.
        </Alert>
      ) : null}
      <Loadable state={users} what="users">
        {(list) =>
          list.length === 0 ? (
            <EmptyState title="No users">Create one with "New user".</EmptyState>
          ) : (
            <DataTable columns={['User', 'Role', 'Sites', 'Last login', '']}>
              {list.map((u) => (
                <TableRow key={u.id} sx={{ opacity: u.is_active ? 1 : 0.5 }}>
                  <TableCell>
                    <b>{u.email}</b>
                    {u.name ? (
                      <Typography variant="caption" color="text.secondary" component="div">
                        {u.name}
                      </Typography>
                    ) : null}
                  </TableCell>
                  <TableCell>
                    <Chip size="small" label={u.role} color={u.role === 'admin' ? 'primary' : 'default'} />
                    {!u.is_active ? <Chip size="small" label="deactivated" sx={{ ml: 1 }} /> : null}
                  </TableCell>
                  <TableCell>
                    {u.site_ids === null ? 'All sites' : u.site_ids.map(siteName).join(', ') || 'none'}
                  </TableCell>
                  <TableCell title={fmtDateTime(u.last_login_at)}>{fmtAgo(u.last_login_at)}</TableCell>
                  <EditCell onEdit={() => setDialog(u)} />
                </TableRow>
              ))}
            </DataTable>
          )
        }
      </Loadable>
      {dialog ? (
        <UserDialog
          user={dialog === 'new' ? undefined : dialog}
          sites={sites.data ?? []}
          onClose={() => setDialog(undefined)}
          onDone={(r) => {
            setDialog(undefined);
            if (r) setCreated(r);
            users.reload();
          }}
        />
      ) : null}
    </Box>
  );
}
