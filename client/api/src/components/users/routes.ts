import { Router } from 'express';
import { body, param } from 'express-validator';
import { USER_ROLES, type CreateUserRequest, type UpdateUserRequest } from '@meterit/shared';
import { check, describeType, onlyFields, stringProblem, validateOrThrow } from '../../middleware/validate.js';
import { requireRole, userOf } from '../../middleware/user-auth.js';
import { passwordProblem } from './passwords.js';
import type { UsersService } from './users-service.js';

const EMAIL = /^[^\s@]+@[^\s@]+$/;
const emailProblem = (v: unknown) =>
  typeof v === 'string' && v.trim().length <= 255 && EMAIL.test(v.trim())
    ? undefined
    : `email must be an e-mail address, got ${describeType(v)}`;
const roleProblem = (v: unknown) =>
  typeof v === 'string' && (USER_ROLES as readonly string[]).includes(v)
    ? undefined
    : `role must be one of ${USER_ROLES.join(', ')}, got ${describeType(v)}`;
const nameProblem = (v: unknown) =>
  v === null
    ? undefined
    : typeof v === 'string'
      ? stringProblem('name', 0, 255)(v)
      : `name must be a string of at most 255 characters or null, got ${describeType(v)}`;
const siteIdsProblem = (v: unknown) =>
  v === null || (Array.isArray(v) && v.length <= 10_000 && v.every((x) => Number.isInteger(x) && x > 0 && x < 2 ** 31))
    ? undefined
    : `site_ids must be null (every site) or an array of site ids, got ${describeType(v)}`;
const optional = (problem: (v: unknown) => string | undefined) => (v: unknown) =>
  v === undefined ? undefined : problem(v);
export const idParam = (name = 'id') =>
  param(name).custom(
    check((v) =>
      typeof v === 'string' && /^[1-9]\d{0,9}$/.test(v) && Number(v) < 2 ** 31
        ? undefined
        : `${name} must be a positive integer id, got ${describeType(v)}`,
    ),
  );

/** /api/users: admins only. */
export function usersRouter(users: UsersService): Router {
  const router = Router();
  router.use('/api/users', requireRole('admin'));

  router.get('/api/users', async (_req, res) => {
    res.json({ users: await users.list() });
  });

  router.post('/api/users', async (req, res) => {
    await validateOrThrow(req, [
      body()
        .custom(
          check((v) =>
            typeof v === 'object' && v !== null && !Array.isArray(v) ? undefined : 'the body must be a JSON object',
          ),
        )
        .bail(),
      body('email').custom(check(emailProblem)),
      body('role').custom(check(roleProblem)),
      body('name').custom(check(optional(nameProblem))),
      body('password').custom(check(optional(passwordProblem))),
      body('site_ids').custom(check(optional(siteIdsProblem))),
    ]);
    const created = await users.create(req.body as CreateUserRequest);
    req.log.info('user created', { user: created.user.id, role: created.user.role });
    res.status(201).json(created);
  });

  router.get('/api/users/:id', async (req, res) => {
    await validateOrThrow(req, [idParam()]);
    res.json({ user: await users.get(Number(req.params.id)) });
  });

  router.patch('/api/users/:id', async (req, res) => {
    await validateOrThrow(req, [
      idParam(),
      body()
        .custom(
          check((v) =>
            typeof v === 'object' && v !== null && !Array.isArray(v) ? undefined : 'the body must be a JSON object',
          ),
        )
        .bail(),
      onlyFields('name', 'role', 'password', 'site_ids', 'is_active'),
      body('role').custom(check(optional(roleProblem))),
      body('name').custom(check(optional(nameProblem))),
      body('password').custom(check(optional(passwordProblem))),
      body('site_ids').custom(check(optional(siteIdsProblem))),
      body('is_active').custom(
        check(
          optional((v) => (typeof v === 'boolean' ? undefined : `is_active must be a boolean, got ${describeType(v)}`)),
        ),
      ),
    ]);
    const user = await users.update(userOf(req), Number(req.params.id), req.body as UpdateUserRequest);
    req.log.info('user updated', { user: user.id, fields: Object.keys(req.body as object) });
    res.json({ user });
  });

  return router;
}
