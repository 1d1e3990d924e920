import { Box, IconButton, NativeSelect, SvgIcon, Typography } from '@mui/material';
import { fmtNumber } from '../../format';
import { PAGE_SIZES, type PageSize } from './overview-state';

// The overview's pager: which sites of how many, first/previous/next/last, and how many per page. Written for the
// dashboard instead of MUI's TablePagination, whose rows-per-page menu would load the whole select-and-menu stack
// on the first page an operator sees; the browser's own select does that job here, and works as well on a phone.

// Material Design's first / previous / next / last page glyphs.
const ARROWS = {
  first: 'M18.41 16.59 13.82 12l4.59-4.59L17 6l-6 6 6 6zM6 6h2v12H6z',
  previous: 'M15.41 16.09l-4.58-4.59 4.58-4.59L14 5.5l-6 6 6 6z',
  next: 'M8.59 16.34l4.58-4.59-4.58-4.59L10 5.75l6 6-6 6z',
  last: 'M5.59 7.41 10.18 12l-4.59 4.59L7 18l6-6-6-6zM16 6h2v12h-2z',
} as const;

export function Pager({
  count,
  page,
  perPage,
  onPage,
  onPerPage,
}: {
  count: number;
  page: number;
  perPage: PageSize;
  onPage(page: number): void;
  onPerPage(perPage: PageSize): void;
}) {
  const last = Math.max(0, Math.ceil(count / perPage) - 1);
  const from = count === 0 ? 0 : page * perPage + 1;
  const to = Math.min(count, (page + 1) * perPage);
  const go = (to: number, label: string, arrow: string, disabled: boolean) => (
    <IconButton size="small" aria-label={label} title={label} disabled={disabled} onClick={() => onPage(to)}>
      <SvgIcon fontSize="small">
        <path d={arrow} />
      </SvgIcon>
    </IconButton>
  );
  return (
    <Box
      data-testid="sites-pager"
      sx={{ display: 'flex', flexWrap: 'wrap', alignItems: 'center', justifyContent: 'flex-end', gap: 1, py: 1 }}
    >
      <Box component="label" sx={{ display: 'flex', alignItems: 'center', gap: 1 }}>
        <Typography variant="body2">Per page</Typography>
        <NativeSelect
          value={perPage}
          onChange={(e) => onPerPage(Number(e.target.value) as PageSize)}
          sx={{ fontSize: 14 }}
        >
          {PAGE_SIZES.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </NativeSelect>
      </Box>
      <Typography variant="body2" sx={{ mx: 1 }} aria-live="polite">
        {`${fmtNumber(from, 0)}–${fmtNumber(to, 0)} of ${fmtNumber(count, 0)}`}
      </Typography>
      <Box sx={{ display: 'flex' }}>
        {go(0, 'Go to first page', ARROWS.first, page === 0)}
        {go(page - 1, 'Go to previous page', ARROWS.previous, page === 0)}
        {go(page + 1, 'Go to next page', ARROWS.next, page >= last)}
        {go(last, 'Go to last page', ARROWS.last, page >= last)}
      </Box>
    </Box>
  );
}
