// Every route module the server registers, in this order. A new route is one new file
// here and one line below (and its test); its schema puts it in the OpenAPI document.
import convert from './convert.js';
import download from './download.js';
import exportRoute from './export.js';
import formats from './formats.js';
import importRoute from './import.js';
import project from './project.js';
import projects from './projects.js';
import publicRoutes from './public.js';
import type { RouteModule } from './route.js';
import snapshot from './snapshot.js';
import snapshots from './snapshots.js';
import tasks from './tasks.js';
import views from './views.js';

/** The route modules, registered each in its own Fastify scope. */
export const ROUTES: readonly RouteModule[] = [
  publicRoutes,
  projects,
  project,
  importRoute,
  exportRoute,
  formats,
  snapshots,
  snapshot,
  convert,
  download,
  tasks,
  views,
];
