import { Alert, Box, Button, TextField, Typography } from '@mui/material';
import { useState } from 'react';
import type { SiteKeyResponse } from '@meterit/shared';
import { fmtDateTime } from '../format';

/** A site API key, shown once: copy it now and hand it to the installer. */
export function KeyReveal({ created }: { created: SiteKeyResponse }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(created.api_key);
      setCopied(true);
    } catch {
      // Clipboard refused (plain http or permissions): the field is selected for a manual copy.
      (document.getElementById('api-key-field') as HTMLTextAreaElement | null)?.select();
    }
  };
  return (
    <Box data-testid="key-reveal">
      <Alert severity="warning" sx={{ mb: 2 }}>
        This key is shown <b>only once</b>. Copy it now and give it to the installer of <b>{created.site_name}</b> (set
        it as CLIENT_API_KEY on the site agent). Only a hash is stored; if it is lost, rotate the key.
      </Alert>
      <TextField
        id="api-key-field"
        label="Site API key"
        value={created.api_key}
        fullWidth
        multiline
        slotProps={{
          input: {
            readOnly: true,
            sx: { fontFamily: 'monospace', fontSize: 14, lineHeight: 1.6, wordBreak: 'break-all' },
          },
        }}
        onFocus={(e) => e.target.select()}
      />
      <Box sx={{ display: 'flex', gap: 2, alignItems: 'center', mt: 1.5, flexWrap: 'wrap' }}>
        <Button variant="contained" onClick={copy}>
          {copied ? 'Copied' : 'Copy key'}
        </Button>
        {created.previous_keys_expire_at ? (
          <Typography variant="body2" color="text.secondary">
            The previous key keeps working until {fmtDateTime(created.previous_keys_expire_at)}, so the site can switch
            without losing data. On the site's machine: <code>sudo scripts/rotate-key --restart</code>, then paste the
            key.
          </Typography>
        ) : null}
      </Box>
    </Box>
  );
}
