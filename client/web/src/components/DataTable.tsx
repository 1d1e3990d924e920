import { Paper, Table, TableBody, TableCell, TableContainer, TableHead, TableRow } from '@mui/material';
import type { ReactNode } from 'react';

/**
 * A small table: a row of column titles (a `null` or `false` title is a column not shown) over the rows given as
 * children. Outlined on a page; bare (`outlined={false}`) inside a panel or a dialog.
 */
export function DataTable({
  label,
  columns,
  outlined = true,
  children,
}: {
  label?: string;
  columns?: ReactNode[];
  outlined?: boolean;
  children: ReactNode;
}) {
  const table = (
    <Table size="small" aria-label={label}>
      {columns ? (
        <TableHead>
          <TableRow>
            {columns.map((c, i) => (c === null || c === false ? null : <TableCell key={i}>{c}</TableCell>))}
          </TableRow>
        </TableHead>
      ) : null}
      <TableBody>{children}</TableBody>
    </Table>
  );
  return outlined ? (
    <TableContainer component={Paper} variant="outlined">
      {table}
    </TableContainer>
  ) : (
    table
  );
}
