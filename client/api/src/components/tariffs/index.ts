import type { Knex } from 'knex';
import type { MeterDirectory } from '../meters/meter-directory.js';
import { AssignmentsRepository } from './assignments-repository.js';
import { AssignmentsService } from './assignments-service.js';
import { CostsService } from './costs-service.js';
import { HolidayCalendarsRepository } from './holiday-calendars-repository.js';
import type { IntervalEnergySource } from './interval-energy-source.js';
import { TariffsRepository } from './tariffs-repository.js';
import { TariffsService } from './tariffs-service.js';

export interface TariffsComponent {
  /** Tariffs, their versions and holiday calendars. */
  tariffs: TariffsService;
  /** Which tariff each site and meter is billed on from when. */
  assignments: AssignmentsService;
  /** Costs per billing period (routes and MCP). */
  costs: CostsService;
}

/**
 * The tariffs component: versioned tariffs, assignments and the cost service. `energy` is where 15-minute energy
 * comes from (interval-energy.ts: the energy component's rollups or raw readings).
 */
export function createTariffs(deps: {
  knex: Knex;
  meters: MeterDirectory;
  energy: IntervalEnergySource;
  now?: () => number;
}): TariffsComponent {
  const tariffsRepo = new TariffsRepository(deps.knex);
  const calendars = new HolidayCalendarsRepository(deps.knex);
  const tariffs = new TariffsService(tariffsRepo, calendars, deps.now);
  const assignments = new AssignmentsService(new AssignmentsRepository(deps.knex), tariffsRepo, deps.meters, deps.now);
  const costs = new CostsService({
    assignments,
    tariffs: tariffsRepo,
    calendars,
    meters: deps.meters,
    energy: deps.energy,
    ...(deps.now ? { now: deps.now } : {}),
  });
  return { tariffs, assignments, costs };
}

export { tariffsRouter } from './routes.js';
export { MeterIntervalEnergy } from './interval-energy.js';
export type { IntervalEnergySource, QuarterEnergy } from './interval-energy-source.js';
