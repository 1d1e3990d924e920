import { MenuItem, TextField, type TextFieldProps } from '@mui/material';
import type { ReactNode } from 'react';

/** One choice of a select: the value it sets and the words it shows. */
export interface SelectOption {
  value: string | number;
  label: ReactNode;
}

/** Options from a list of values shown as they are. */
export const asOptions = (values: readonly (string | number)[]): SelectOption[] =>
  values.map((v) => ({ value: v, label: v }));

/** A select field: a text field's props (label, value, onChange, size, sx…) and the options it offers. */
export function SelectField({
  options,
  ...field
}: Omit<TextFieldProps, 'select' | 'children'> & { options: readonly SelectOption[] }) {
  return (
    <TextField select {...field}>
      {options.map((o) => (
        <MenuItem key={o.value} value={o.value}>
          {o.label}
        </MenuItem>
      ))}
    </TextField>
  );
}
