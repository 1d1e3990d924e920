import { Router, type RequestHandler } from 'express';
import { PreferencesUpdateRequestSchema } from '@meterit/shared';
import { validate } from '../../middleware/validate.js';
import { userOf } from '../../middleware/user-auth.js';
import type { UsersService } from './users-service.js';

export interface AccountRouteDeps {
  users: UsersService;
  /** Lets a user whose password an admin set read the account (to learn they must change it). */
  userAuthWhilePasswordChangePending: RequestHandler;
  /** Refuses that user (403 PASSWORD_CHANGE_REQUIRED), as every other operator route does. */
  userAuth: RequestHandler;
  jsonBody: RequestHandler;
}

/** /api/account: any logged-in user's own account and profile preferences. */
export function accountRouter(deps: AccountRouteDeps): Router {
  const router = Router();

  router.get('/api/account', deps.userAuthWhilePasswordChangePending, async (req, res) => {
    res.json(await deps.users.account(userOf(req).id));
  });

  const preferences = validate({ body: PreferencesUpdateRequestSchema });
  router.patch('/api/account/preferences', deps.userAuth, deps.jsonBody, preferences, async (req, res) => {
    const body = preferences.parsed(req).body;
    res.json(await deps.users.setPreferences(userOf(req).id, body));
  });

  return router;
}
