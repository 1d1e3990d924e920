import {
  Button,
  Paper,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  type SxProps,
  type TableCellProps,
  type Theme,
} from '@mui/material';
import type { ReactNode } from 'react';

/** A column title with what its header cell needs besides the words (alignment, width, a hover hint). */
export type ColumnSpec = { head: ReactNode } & Pick<TableCellProps, 'align' | 'sx' | 'title'>;
/** A column: its title, or a title with its header cell's settings; `null` or `false` is a column not shown. */
export type Column = ReactNode | ColumnSpec;

const isSpec = (c: Column): c is ColumnSpec => typeof c === 'object' && c !== null && 'head' in c;

function HeadCell({ column }: { column: Column }) {
  if (!isSpec(column)) return <TableCell>{column}</TableCell>;
  const { head, ...cell } = column;
  return <TableCell {...cell}>{head}</TableCell>;
}

/**
 * A small table: a row of column titles over the rows given as children. Outlined on a page (`sx` styles the
 * outline); bare (`outlined={false}`) inside a panel or a dialog. `tableSx` styles the table itself.
 */
export function DataTable({
  label,
  columns,
  outlined = true,
  sx,
  tableSx,
  children,
}: {
  label?: string;
  columns?: Column[];
  outlined?: boolean;
  sx?: SxProps<Theme>;
  tableSx?: SxProps<Theme>;
  children: ReactNode;
}) {
  const table = (
    <Table size="small" aria-label={label} sx={tableSx}>
      {columns ? (
        <TableHead>
          <TableRow>
            {columns.map((c, i) => (c === null || c === false ? null : <HeadCell key={i} column={c} />))}
          </TableRow>
        </TableHead>
      ) : null}
      <TableBody>{children}</TableBody>
    </Table>
  );
  return outlined ? (
    <TableContainer component={Paper} variant="outlined" sx={sx}>
      {table}
    </TableContainer>
  ) : (
    table
  );
}

/** A row's last cell: its Edit button, or an empty cell where the user may not edit. */
export function EditCell({ onEdit }: { onEdit?: () => void }) {
  return (
    <TableCell>
      {onEdit ? (
        <Button size="small" onClick={onEdit}>
          Edit
        </Button>
      ) : null}
    </TableCell>
  );
}
