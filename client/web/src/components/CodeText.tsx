import { Tooltip } from '@mui/material';

/** A code in plain words; the code itself in the tooltip, for whoever searches the logs or the docs for it. */
export function CodeText({ code, words }: { code: string; words: string }) {
  return (
    <Tooltip title={code} describeChild>
      <span data-code={code} tabIndex={0} style={{ textDecoration: 'underline dotted' }}>
        {words}
      </span>
    </Tooltip>
  );
}
