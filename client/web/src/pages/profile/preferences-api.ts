import type { AccountResponse, PreferencesUpdateRequest } from '@meterit/shared';
import { api, errorText } from '../../api/client';
import { usePreferences } from '../../store/preferences';

/**
 * Apply a preference at once, then store it on the user (so it follows them to another browser). Returns an error
 * text when the server refused; the choice stays applied here either way.
 */
export async function savePreferences(patch: PreferencesUpdateRequest): Promise<string | undefined> {
  usePreferences.getState().set(patch);
  try {
    const { data } = await api.patch<AccountResponse>('/api/account/preferences', patch);
    usePreferences.getState().setFromAccount(data);
    return undefined;
  } catch (err) {
    return errorText(err);
  }
}
