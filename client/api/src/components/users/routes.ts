import { Router } from 'express';
import { CreateUserRequestSchema, IdParamsSchema, UpdateUserRequestSchema } from '@meterit/shared';
import { validate } from '../../middleware/validate.js';
import { requireRole, userOf } from '../../middleware/user-auth.js';
import type { UsersService } from './users-service.js';

/** /api/users: admins only. */
export function usersRouter(users: UsersService): Router {
  const router = Router();
  router.use('/api/users', requireRole('admin'));

  router.get('/api/users', async (_req, res) => {
    res.json({ users: await users.list() });
  });

  const create = validate({ body: CreateUserRequestSchema });
  router.post('/api/users', create, async (req, res) => {
    const created = await users.create(create.parsed(req).body);
    req.log.info('user created', { user: created.user.id, role: created.user.role });
    res.status(201).json(created);
  });

  const one = validate({ params: IdParamsSchema });
  router.get('/api/users/:id', one, async (req, res) => {
    res.json({ user: await users.get(one.parsed(req).params.id) });
  });

  const update = validate({ params: IdParamsSchema, body: UpdateUserRequestSchema });
  router.patch('/api/users/:id', update, async (req, res) => {
    const { params, body } = update.parsed(req);
    const user = await users.update(userOf(req), params.id, body);
    req.log.info('user updated', { user: user.id, fields: Object.keys(body) });
    res.json({ user });
  });

  return router;
}
