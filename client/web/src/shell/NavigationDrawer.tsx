import { Box, Divider, Drawer, List, ListItemButton, ListItemText, Typography } from '@mui/material';
import type { UserInfo } from '@meterit/shared';
import { accessibleName, Label, type AccountAction, type Destination } from './destinations';

/** The navigation on a phone: every destination and account action in a drawer from the left. */
export default function NavigationDrawer({
  open,
  onClose,
  user,
  items,
  account,
  go,
}: {
  open: boolean;
  onClose(): void;
  user: UserInfo;
  items: Destination[];
  account: AccountAction[];
  go(to: string): void;
}) {
  return (
    <Drawer id="app-navigation" anchor="left" open={open} onClose={onClose}>
      <Box sx={{ width: 280, maxWidth: '85vw' }} role="presentation">
        <Box sx={{ p: 2 }}>
          <Typography variant="h6" component="p" sx={{ fontWeight: 700 }}>
            MeterIT
          </Typography>
          <Typography variant="body2" color="text.secondary" sx={{ wordBreak: 'break-all' }}>
            {user.email} · {user.role}
          </Typography>
        </Box>
        <Divider />
        <List component="nav" aria-label="Main">
          {items.map((d) => (
            <ListItemButton
              key={d.to}
              component="a"
              href={d.to}
              selected={d.active}
              aria-label={accessibleName(d)}
              aria-current={d.active ? 'page' : undefined}
              onClick={(e: React.MouseEvent) => {
                e.preventDefault();
                go(d.to);
              }}
            >
              <ListItemText primary={<Label d={d} />} />
            </ListItemButton>
          ))}
        </List>
        <Divider />
        <List aria-label="Account">
          {account.map((a) => (
            <ListItemButton
              key={a.label}
              selected={a.active}
              onClick={() => {
                onClose();
                a.onClick();
              }}
            >
              <ListItemText primary={a.label} />
            </ListItemButton>
          ))}
        </List>
      </Box>
    </Drawer>
  );
}
