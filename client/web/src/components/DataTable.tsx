import {
  Button,
  Paper,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  TableSortLabel,
  type SxProps,
  type TableCellProps,
  type Theme,
} from '@mui/material';
import type { ReactNode } from 'react';

/** How a column sorts: whether it is the sorted one, which way, and what a click on its title does. */
export interface ColumnSort {
  active: boolean;
  direction: 'asc' | 'desc';
  onSort: () => void;
}

/**
 * A column title with what its header cell needs besides the words (alignment, width, a hover hint), the words its
 * values get on a phone's card when the title is not plain words (`label`), and how it sorts (`sort`).
 */
export type ColumnSpec = { head: ReactNode; label?: string; sort?: ColumnSort } & Pick<
  TableCellProps,
  'align' | 'sx' | 'title'
>;
/** A column: its title, or a title with its header cell's settings; `null` or `false` is a column not shown. */
export type Column = ReactNode | ColumnSpec;

const isSpec = (c: Column): c is ColumnSpec => typeof c === 'object' && c !== null && 'head' in c;
const shown = (c: Column) => c !== null && c !== false && c !== undefined;

/** The words before a value on a card: the title when it is words; an empty title is the row's actions. */
function cardLabel(c: Column): string {
  if (isSpec(c)) return c.label ?? (typeof c.head === 'string' || typeof c.head === 'number' ? String(c.head) : '');
  return typeof c === 'string' || typeof c === 'number' ? String(c) : '';
}

function HeadCell({ column }: { column: Column }) {
  if (!isSpec(column)) return <TableCell>{column}</TableCell>;
  const { head, sort, label: _label, ...cell } = column;
  if (!sort) return <TableCell {...cell}>{head}</TableCell>;
  return (
    <TableCell {...cell} data-sortable="" sortDirection={sort.active ? sort.direction : false}>
      <TableSortLabel active={sort.active} direction={sort.active ? sort.direction : 'asc'} onClick={sort.onSort}>
        {head}
      </TableSortLabel>
    </TableCell>
  );
}

/**
 * Below `md` (phones, small tablets) every row is a card: each cell on a line of its own after its column's title,
 * the cells of untitled columns (the row's actions) full width at the bottom. Pure CSS on the rows the caller gives,
 * so every table of the app gets it without knowing, whatever components its rows are made of. The titles are put
 * in by position (`nth-of-type`), so only this table's own cells are labelled, not those of a table nested in one.
 * The header row stays for screen readers (visually hidden), or, where columns sort, shows as a row of sort buttons.
 */
function cardSx(columns: Column[] | undefined, theme: Theme) {
  // The palette as CSS variables: `theme.palette` holds the light scheme's values, which are near-black on dark paper.
  const palette = (theme.vars ?? theme).palette;
  const visible = (columns ?? []).filter(shown);
  const sortable = visible.some((c) => isSpec(c) && c.sort);
  const cell = '& > tbody > tr > td';
  const perColumn = Object.fromEntries(
    visible.map((c, i) => {
      const label = cardLabel(c);
      return [
        `${cell}:nth-of-type(${i + 1})`,
        label
          ? { '&::before': { content: JSON.stringify(label) } }
          : { order: 1, paddingTop: theme.spacing(0.5), textAlign: 'left' },
      ];
    }),
  );
  return {
    [theme.breakpoints.down('md')]: {
      display: 'block',
      '& > tbody': { display: 'block' },
      '& > thead': sortable
        ? {
            display: 'block',
            '& > tr': {
              display: 'flex',
              flexWrap: 'wrap',
              alignItems: 'center',
              gap: theme.spacing(0.5, 2),
              padding: theme.spacing(1, 1.5),
              borderBottom: `1px solid ${palette.divider}`,
              '&::before': { content: '"Sort by"', color: palette.text.secondary },
            },
            '& > tr > th': { display: 'block', border: 0, padding: 0, textAlign: 'left' },
            '& .MuiTableSortLabel-root': { flexDirection: 'row' },
            '& .MuiTableSortLabel-root:not(.Mui-active) .MuiTableSortLabel-icon': { display: 'none' },
            '& > tr > th:not([data-sortable])': visuallyHidden,
          }
        : { display: 'block', '& > tr': visuallyHidden },
      '& > tbody > tr': {
        display: 'flex',
        flexDirection: 'column',
        gap: theme.spacing(0.5),
        padding: theme.spacing(1.5),
        borderTop: `1px solid ${palette.divider}`,
      },
      '& > tbody > tr:first-of-type': { borderTop: 0 },
      // A cell is a one-row table: its title a column of 38 %, whatever the cell holds the other (one anonymous
      // cell, so text and inline parts flow as they do in the table). The line is as tall as the taller of the two,
      // where an absolutely placed title ran into the next line when it wrapped beside a one-line value.
      [cell]: {
        display: 'table',
        tableLayout: 'fixed',
        width: '100%',
        border: 0,
        padding: 0,
        minWidth: 0,
        maxWidth: 'none',
        textAlign: 'left',
        overflowWrap: 'anywhere',
        '&::before': {
          display: 'table-cell',
          width: '38%',
          boxSizing: 'border-box',
          paddingRight: theme.spacing(1),
          color: palette.text.secondary,
          fontWeight: 600,
          overflowWrap: 'anywhere',
        },
      },
      // An empty cell (nothing to say in the "All" row, no action for this user) is no line of the card.
      [`${cell}:empty`]: { display: 'none' },
      ...perColumn,
      // A cell across all columns (a message, a panel opened under the row) is the whole card.
      [`${cell}[colspan]`]: { order: 0, '&::before': { content: 'none' } },
    },
  };
}

// Sizes as CSS strings: in `sx` a bare number up to 1 is a fraction, so `width: 1` was 100 % of the positioned
// ancestor, and the hidden header row stretched a 390 px phone page to 407 px (invisible, but the page scrolled).
const visuallyHidden = {
  position: 'absolute',
  width: '1px',
  height: '1px',
  margin: '-1px',
  padding: 0,
  border: 0,
  overflow: 'hidden',
  clipPath: 'inset(50%)',
  whiteSpace: 'nowrap',
} as const;

/**
 * A small table: a row of column titles over the rows given as children. Outlined on a page (`sx` styles the
 * outline); bare (`outlined={false}`) inside a panel or a dialog. `tableSx` styles the table itself. On a phone
 * each row is a card (see `cardSx`).
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
    <Table
      size="small"
      aria-label={label}
      sx={[(theme: Theme) => cardSx(columns, theme), ...(Array.isArray(tableSx) ? tableSx : [tableSx])]}
    >
      {columns ? (
        <TableHead>
          <TableRow>{columns.map((c, i) => (shown(c) ? <HeadCell key={i} column={c} /> : null))}</TableRow>
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
